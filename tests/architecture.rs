//! The house has no circles: no import cycle among the top-level modules of `src/`, nor among the
//! child modules (files and subfolders) of any folder.
//!
//! How the graph is built (token-level scanning, no Rust parser; correct on this codebase because
//! it resolves only the path forms the crate uses):
//! - comments, string and char literals are blanked first, so text in them is never a path;
//! - every `use` tree is expanded to its leaf paths, and every inline path in code that starts
//!   with `crate`, `$crate`, `super`, `self` or a child module the current module declares
//!   (`mod x;` / `mod x { … }`) is resolved to an absolute module path; inline `mod x { … }`
//!   blocks (tests) shift what `super` and `self` mean inside them;
//! - a folder's nodes are its child modules (files and subfolders); a reference from one child
//!   into another is an edge, also when it names an item the folder's `mod.rs` re-exports
//!   (`pub use child::Item`, resolved to that child). `mod.rs` itself is the room its children
//!   stand in, no node beside them: it declares and re-exports them and may hold what several
//!   share. The crate root (`lib.rs`) is the top folder, its modules the top-level nodes.
//!
//! Not seen: paths inside string attributes (`#[serde(with = "…")]`; the crate has none) and paths
//! that only a macro's expansion writes.
//!
//! A cycle fails the test, naming each module of the cycle and a file:line that makes each step.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A module path from the crate root, e.g. `["engine", "gpu", "plan"]`; `[]` is the root.
type ModPath = Vec<String>;

/// One source file: the module it defines and its code with comments and literals blanked.
struct SourceFile {
    module: ModPath,
    display: String,
    code: String,
}

/// One resolved reference: from a module (the file's module, for inline blocks too), to an
/// absolute path, at a file and line.
struct Reference {
    from: ModPath,
    to: ModPath,
    at: String,
}

/// What the scan knows about the crate: each module's child modules, the items each file
/// defines at its top level, and the re-exports of each folder module (`name → child`).
#[derive(Default)]
struct Crate {
    children: BTreeMap<ModPath, BTreeSet<String>>,
    reexports: BTreeMap<ModPath, BTreeMap<String, String>>,
    references: Vec<Reference>,
}

/// Replaces comments, string literals (plain, byte, raw) and char literals with spaces, keeping
/// newlines so line numbers stay right. Lifetimes (`'a`) are kept.
fn blank_comments_and_literals(src: &str) -> String {
    let b: Vec<char> = src.chars().collect();
    let mut out = String::with_capacity(src.len());
    let blank = |out: &mut String, c: char| out.push(if c == '\n' { '\n' } else { ' ' });
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < b.len() && b[i] != '\n' {
                blank(&mut out, b[i]);
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < b.len() {
                if b[i] == '/' && b.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if b[i] == '*' && b.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    blank(&mut out, b[i]);
                    i += 1;
                }
            }
        } else if (c == 'r' || (c == 'b' && next == Some('r'))) && !ident_char_before(&b, i) && raw_string_start(&b, i + if c == 'b' { 1 } else { 0 }).is_some() {
            let start = i + if c == 'b' { 1 } else { 0 };
            let hashes = raw_string_start(&b, start).unwrap();
            let close: Vec<char> = std::iter::once('"').chain(std::iter::repeat_n('#', hashes)).collect();
            let mut j = start + 2 + hashes;
            while j < b.len() && !b[j..].starts_with(&close) {
                j += 1;
            }
            let end = (j + close.len()).min(b.len());
            for &ch in &b[i..end] {
                blank(&mut out, ch);
            }
            i = end;
        } else if c == '"' {
            blank(&mut out, c);
            i += 1;
            while i < b.len() && b[i] != '"' {
                if b[i] == '\\' {
                    blank(&mut out, b[i]);
                    i += 1;
                }
                if i < b.len() {
                    blank(&mut out, b[i]);
                    i += 1;
                }
            }
            if i < b.len() {
                blank(&mut out, b[i]);
                i += 1;
            }
        } else if c == '\'' && char_literal_len(&b, i).is_some() {
            let len = char_literal_len(&b, i).unwrap();
            for &ch in &b[i..i + len] {
                blank(&mut out, ch);
            }
            i += len;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn ident_char_before(b: &[char], i: usize) -> bool {
    i > 0 && (b[i - 1].is_alphanumeric() || b[i - 1] == '_')
}

/// At `b[i] == 'r'`: the number of `#` of a raw string `r#…#"` that starts there.
fn raw_string_start(b: &[char], i: usize) -> Option<usize> {
    if b.get(i) != Some(&'r') {
        return None;
    }
    let hashes = b[i + 1..].iter().take_while(|&&c| c == '#').count();
    (b.get(i + 1 + hashes) == Some(&'"')).then_some(hashes)
}

/// At `b[i] == '\''`: the length of a char literal there (`'x'`, `'\n'`, `'\u{1F}'`), or `None`
/// for a lifetime or label.
fn char_literal_len(b: &[char], i: usize) -> Option<usize> {
    if b.get(i + 1) == Some(&'\\') {
        let close = b[i + 2..].iter().position(|&c| c == '\'')?;
        return Some(close + 3);
    }
    (b.get(i + 2) == Some(&'\'')).then_some(3)
}

/// A token of blanked code and the line it is on.
#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Ident(String),
    PathSep,
    Punct(char),
}

fn tokenize(code: &str) -> Vec<(Tok, usize)> {
    let b: Vec<char> = code.chars().collect();
    let mut toks = Vec::new();
    let (mut i, mut line) = (0, 1);
    while i < b.len() {
        let c = b[i];
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if c.is_alphabetic() || c == '_' || (c == '$' && b.get(i + 1).is_some_and(|n| n.is_alphabetic())) {
            let start = i;
            i += 1;
            while i < b.len() && (b[i].is_alphanumeric() || b[i] == '_') {
                i += 1;
            }
            let word: String = b[start..i].iter().collect();
            // `r#type` raw identifiers: the name is what follows.
            toks.push((Tok::Ident(word.trim_start_matches("r#").to_string()), line));
        } else if c.is_ascii_digit() {
            while i < b.len() && (b[i].is_alphanumeric() || b[i] == '_' || b[i] == '.') {
                i += 1;
            }
        } else if c == ':' && b.get(i + 1) == Some(&':') {
            toks.push((Tok::PathSep, line));
            i += 2;
        } else if c == '\'' {
            // A lifetime or label: skip its name so it does not read as an identifier.
            i += 1;
            while i < b.len() && (b[i].is_alphanumeric() || b[i] == '_') {
                i += 1;
            }
        } else {
            toks.push((Tok::Punct(c), line));
            i += 1;
        }
    }
    toks
}

fn ident(tok: Option<&(Tok, usize)>) -> Option<&str> {
    match tok {
        Some((Tok::Ident(s), _)) => Some(s),
        _ => None,
    }
}

fn is(tok: Option<&(Tok, usize)>, c: char) -> bool {
    matches!(tok, Some((Tok::Punct(p), _)) if *p == c)
}

/// Expands the use tree starting at `toks[*i]` into its leaf paths (a glob ends in `*`).
fn use_tree(toks: &[(Tok, usize)], i: &mut usize, prefix: &[String], leaves: &mut Vec<(Vec<String>, usize)>) {
    let mut path = prefix.to_vec();
    loop {
        match toks.get(*i) {
            Some((Tok::Ident(s), line)) => {
                path.push(s.clone());
                *i += 1;
                if matches!(toks.get(*i), Some((Tok::PathSep, _))) {
                    *i += 1;
                    continue;
                }
                if ident(toks.get(*i)) == Some("as") {
                    *i += 2;
                }
                leaves.push((path, *line));
                return;
            }
            Some((Tok::Punct('*'), line)) => {
                path.push("*".into());
                *i += 1;
                leaves.push((path, *line));
                return;
            }
            Some((Tok::Punct('{'), _)) => {
                *i += 1;
                while !is(toks.get(*i), '}') && *i < toks.len() {
                    use_tree(toks, i, &path, leaves);
                    if is(toks.get(*i), ',') {
                        *i += 1;
                    }
                }
                *i += 1;
                return;
            }
            _ => return,
        }
    }
}

/// Resolves a path written in module `here` to an absolute module path; `None` for a path into
/// another crate or a local name.
fn resolve(here: &[String], path: &[String], children: &BTreeMap<ModPath, BTreeSet<String>>) -> Option<ModPath> {
    let first = path.first()?;
    let (mut abs, rest): (ModPath, &[String]) = match first.as_str() {
        "crate" | "$crate" => (Vec::new(), &path[1..]),
        "self" => (here.to_vec(), &path[1..]),
        "super" => {
            let mut abs = here.to_vec();
            let mut rest = path;
            while rest.first().map(String::as_str) == Some("super") {
                abs.pop()?;
                rest = &rest[1..];
            }
            (abs, rest)
        }
        name if children.get(here).is_some_and(|c| c.contains(name)) => (here.to_vec(), path),
        _ => return None,
    };
    abs.extend(rest.iter().filter(|s| *s != "*").cloned());
    Some(abs)
}

/// Scans one file's tokens: child module declarations (first pass) or references (second pass).
fn scan(file: &SourceFile, krate: &mut Crate, declarations_only: bool) {
    let toks = tokenize(&file.code);
    let is_facade_file = file.display.ends_with("mod.rs") || file.display.ends_with("lib.rs");
    // Inline modules: (name, brace depth inside it).
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    let here = |inline: &[(String, usize)]| -> ModPath { file.module.iter().cloned().chain(inline.iter().map(|(n, _)| n.clone())).collect() };
    while i < toks.len() {
        match &toks[i].0 {
            Tok::Punct('{') => {
                depth += 1;
                i += 1;
            }
            Tok::Punct('}') => {
                if inline.last().is_some_and(|(_, d)| *d == depth) {
                    inline.pop();
                }
                depth = depth.saturating_sub(1);
                i += 1;
            }
            Tok::Ident(kw) if kw == "mod" => {
                let Some(name) = ident(toks.get(i + 1)).map(str::to_string) else {
                    i += 1;
                    continue;
                };
                let module = here(&inline);
                krate.children.entry(module).or_default().insert(name.clone());
                if is(toks.get(i + 2), '{') {
                    depth += 1;
                    inline.push((name, depth));
                    i += 3;
                } else {
                    i += 2;
                }
            }
            Tok::Ident(kw) if kw == "use" && !declarations_only => {
                let public = i > 0 && (ident(toks.get(i - 1)) == Some("pub") || is(toks.get(i - 1), ')'));
                let module = here(&inline);
                let mut leaves = Vec::new();
                i += 1;
                use_tree(&toks, &mut i, &[], &mut leaves);
                for (path, line) in leaves {
                    let Some(to) = resolve(&module, &path, &krate.children) else { continue };
                    if public && is_facade_file && inline.is_empty() && to.len() == module.len() + 2 && to.starts_with(&module) {
                        let alias = if path.last().map(String::as_str) == Some("*") { "*".to_string() } else { to[to.len() - 1].clone() };
                        krate.reexports.entry(module.clone()).or_default().insert(alias, to[module.len()].clone());
                    }
                    krate.references.push(Reference { from: file.module.clone(), to, at: format!("{}:{line}", file.display) });
                }
            }
            Tok::Ident(first) if !declarations_only => {
                // An inline path: a run of `ident ::` segments not preceded by `::`.
                let after_sep = i > 0 && matches!(toks[i - 1].0, Tok::PathSep);
                let mut path = vec![first.clone()];
                let line = toks[i].1;
                let mut j = i + 1;
                while matches!(toks.get(j), Some((Tok::PathSep, _))) {
                    match ident(toks.get(j + 1)) {
                        Some(s) => path.push(s.to_string()),
                        None => break,
                    }
                    j += 2;
                }
                if !after_sep && path.len() > 1 {
                    let module = here(&inline);
                    if let Some(to) = resolve(&module, &path, &krate.children) {
                        krate.references.push(Reference { from: file.module.clone(), to, at: format!("{}:{line}", file.display) });
                    }
                }
                i = j.max(i + 1);
            }
            _ => i += 1,
        }
    }
}

/// All `.rs` files under `src/` of the library (the binary's `main.rs` reaches the library as
/// an outside crate), with the module each defines.
fn read_sources(src: &Path) -> Vec<SourceFile> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())).map(|e| e.unwrap().path()).collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut paths = Vec::new();
    walk(src, &mut paths);
    paths
        .into_iter()
        .filter(|p| p != &src.join("main.rs") && !p.starts_with(src.join("bin")))
        .map(|p| {
            let rel = p.strip_prefix(src).unwrap();
            let mut module: ModPath = rel.with_extension("").iter().map(|s| s.to_string_lossy().into_owned()).collect();
            if matches!(module.last().map(String::as_str), Some("mod" | "lib")) {
                module.pop();
            }
            let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            SourceFile { module, display: format!("src/{}", rel.display()), code: blank_comments_and_literals(&text) }
        })
        .collect()
}

/// The import graph of each folder module: nodes are its children; each edge keeps the first
/// file:line that makes it.
type Graph = BTreeMap<String, BTreeMap<String, String>>;

fn folder_graphs(krate: &Crate) -> BTreeMap<ModPath, Graph> {
    let mut graphs: BTreeMap<ModPath, Graph> = BTreeMap::new();
    for r in &krate.references {
        // The folder's own file (k = the whole path) is no node of its own folder.
        for k in 0..r.from.len() {
            let folder = &r.from[..k];
            let Some(children) = krate.children.get(folder) else { continue };
            if !r.to.starts_with(folder) {
                continue;
            }
            // The child a path lies in, through the folder's re-exports for an item of `mod.rs`;
            // `None` for what `mod.rs` itself defines.
            let node = |m: &[String]| -> Option<String> {
                let name = m.get(k)?;
                if children.contains(name) {
                    return Some(name.clone());
                }
                krate.reexports.get(folder)?.get(name).cloned()
            };
            if let (Some(from), Some(to)) = (node(&r.from), node(&r.to))
                && from != to
            {
                graphs.entry(folder.to_vec()).or_default().entry(from).or_default().entry(to).or_insert_with(|| r.at.clone());
            }
        }
    }
    graphs
}

/// The cycles of a graph: one per strongly connected component with more than one node, each
/// given as a closed walk `a → b → … → a` through that component.
fn cycles(graph: &Graph) -> Vec<Vec<String>> {
    let nodes: BTreeSet<&String> = graph.keys().chain(graph.values().flat_map(|e| e.keys())).collect();
    let reach = |from: &String| -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from.clone()];
        while let Some(n) = stack.pop() {
            for next in graph.get(&n).into_iter().flat_map(|e| e.keys()) {
                if seen.insert(next.clone()) {
                    stack.push(next.clone());
                }
            }
        }
        seen
    };
    let reaches: BTreeMap<&String, BTreeSet<String>> = nodes.iter().map(|n| (*n, reach(n))).collect();
    let mut done = BTreeSet::new();
    let mut found = Vec::new();
    for &n in &nodes {
        if done.contains(n) || !reaches[n].contains(n) {
            continue;
        }
        let component: BTreeSet<String> = reaches[n].iter().filter(|m| reaches[m].contains(n)).cloned().collect();
        done.extend(component.iter().cloned());
        // A shortest walk from n back to n inside the component (breadth first).
        let mut prev: BTreeMap<String, String> = BTreeMap::new();
        let mut queue = std::collections::VecDeque::from([n.clone()]);
        'search: while let Some(m) = queue.pop_front() {
            for next in graph.get(&m).into_iter().flat_map(|e| e.keys()).filter(|x| component.contains(*x)) {
                if next == n {
                    prev.insert(format!("{n}#end"), m.clone());
                    break 'search;
                }
                if !prev.contains_key(next) {
                    prev.insert(next.clone(), m.clone());
                    queue.push_back(next.clone());
                }
            }
        }
        let mut walk = vec![n.clone()];
        let mut at = prev[&format!("{n}#end")].clone();
        while &at != n {
            walk.push(at.clone());
            at = prev[&at].clone();
        }
        walk.push(n.clone());
        let last = walk.len() - 1;
        walk[1..last].reverse();
        found.push(walk);
    }
    found
}

/// Every cycle of every folder, as lines naming the folder, the walk and the file:line of each step.
fn describe_cycles(graphs: &BTreeMap<ModPath, Graph>) -> Vec<String> {
    let mut lines = Vec::new();
    for (folder, graph) in graphs {
        let name = if folder.is_empty() { "src/ (top-level modules)".to_string() } else { format!("src/{}/", folder.join("/")) };
        for walk in cycles(graph) {
            let steps: Vec<String> = walk.windows(2).map(|w| format!("{} → {} ({})", w[0], w[1], graph[&w[0]][&w[1]])).collect();
            lines.push(format!("{name}: {}\n    {}", walk.join(" → "), steps.join("\n    ")));
        }
    }
    lines
}

#[test]
fn src_has_no_import_cycles() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let graphs = folder_graphs(&scan_crate(&read_sources(&src)));
    // The scan sees the crate: the root's modules and edges between them.
    let top = graphs.get(&Vec::new()).expect("lib.rs's modules were found");
    assert!(top.get("engine").is_some_and(|e| e.contains_key("dynamics")), "engine → dynamics was not found");
    let found = describe_cycles(&graphs);
    assert!(found.is_empty(), "{} import cycle(s) in src/; a module must stand above what it uses:\n{}", found.len(), found.join("\n"));
}

/// Scans `files` twice: the child modules every file declares, then the references, which
/// resolve against those declarations.
fn scan_crate(files: &[SourceFile]) -> Crate {
    let mut krate = Crate::default();
    for file in files {
        scan(file, &mut krate, true);
    }
    for file in files {
        scan(file, &mut krate, false);
    }
    krate
}

/// A small synthetic crate with a cycle between two siblings (one `use` line, one inline path)
/// and one through the root, which the scan must name.
#[test]
fn a_synthetic_cycle_is_found() {
    let file = |module: &[&str], display: &str, text: &str| SourceFile {
        module: module.iter().map(|s| s.to_string()).collect(),
        display: display.to_string(),
        code: blank_comments_and_literals(text),
    };
    let files = [
        file(&[], "src/lib.rs", "pub mod a;\npub mod b;\n"),
        file(&["a"], "src/a/mod.rs", "mod x;\nmod y;\npub use x::Thing;\n/// not a path: crate::b\nfn f() { let _ = \"crate::b\"; }\npub fn helper() {}\n"),
        file(&["a", "x"], "src/a/x.rs", "use super::y::{Other, more::{Deep}};\npub struct Thing;\n#[cfg(test)]\nmod tests { use super::*; }\n"),
        file(&["a", "y"], "src/a/y.rs", "pub struct Other;\nfn g() -> super::Thing { crate::b::h(); super::helper(); loop {} }\n"),
        file(&["b"], "src/b.rs", "pub fn h() {}\nfn k() { let _: crate::a::Thing; }\n"),
    ];
    let graphs = folder_graphs(&scan_crate(&files));
    let found = describe_cycles(&graphs);
    assert_eq!(found.len(), 2, "{found:#?}");
    assert!(found[0].starts_with("src/ (top-level modules): a → b → a"), "{}", found[0]);
    assert!(found[0].contains("a → b (src/a/y.rs:2)") && found[0].contains("b → a (src/b.rs:2)"), "{}", found[0]);
    // `super::Thing` from y reaches x through mod.rs's re-export, not mod.rs itself.
    assert!(found[1].starts_with("src/a/: x → y → x"), "{}", found[1]);
    assert!(found[1].contains("x → y (src/a/x.rs:1)") && found[1].contains("y → x (src/a/y.rs:2)"), "{}", found[1]);
    // Breaking one edge breaks the cycle; the comment and the string in mod.rs never count.
    let mut acyclic = graphs[&vec!["a".to_string()]].clone();
    acyclic.get_mut("y").unwrap().remove("x");
    assert!(cycles(&acyclic).is_empty());
    // `super::helper`, defined in mod.rs, is no edge: the folder's graph is x ⇄ y alone.
    let edges: Vec<(&String, &String)> = graphs[&vec!["a".to_string()]].iter().flat_map(|(from, to)| to.keys().map(move |t| (from, t))).collect();
    assert_eq!(edges.len(), 2, "{edges:?}");
}

#[test]
fn literals_and_comments_are_blanked() {
    let code = blank_comments_and_literals("a /* crate::x /* nested */ */ b // super::y\n'{' r#\"crate::z\"# 'a c");
    assert_eq!(code.lines().count(), 2);
    assert!(!code.contains("crate") && !code.contains("super") && !code.contains('{'), "{code}");
    assert!(code.contains('a') && code.contains('b') && code.contains("'a c"), "{code}");
}
