//! Every kernel, assembled as the GPU engine compiles it, parses and validates with naga; and
//! every file under shaders/ is part of some kernel. No adapter needed.

use std::collections::BTreeSet;

use aocbench::engine::gpu::Kernel;

#[test]
fn every_kernel_parses_and_validates() {
    for kernel in Kernel::ALL {
        let source = kernel.source();
        let module = naga::front::wgsl::parse_str(&source)
            .unwrap_or_else(|e| panic!("{} does not parse:\n{}", kernel.file(), e.emit_to_string(&source)));
        let mut validator = naga::valid::Validator::new(naga::valid::ValidationFlags::all(), naga::valid::Capabilities::default());
        if let Err(e) = validator.validate(&module) {
            panic!("{} does not validate:\n{}", kernel.file(), e.emit_to_string(&source));
        }
        assert!(module.entry_points.iter().any(|e| e.name == "main"), "{} has no entry point main", kernel.file());
    }
}

#[test]
fn every_shader_file_is_compiled_into_a_kernel() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("shaders");
    let on_disk: BTreeSet<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.ends_with(".wgsl"))
        .collect();
    let used: BTreeSet<String> = Kernel::ALL.iter().flat_map(|k| k.files()).map(String::from).collect();
    assert_eq!(on_disk, used, "shaders/ and the kernels the engine compiles disagree");
}
