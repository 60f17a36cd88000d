//! The bytes of an instance file as the reader parses them: plain text as is, gzip, xz and
//! single-instance zip archives (QPLIB's zipped distribution; the member may be gzip too)
//! decompressed, and other compressed formats and tar archives refused by name rather than
//! parsed as text.

use std::io::{self, Read};
use std::path::Path;

use flate2::read::MultiGzDecoder;

use super::error::QplibError;

const GZIP_MAGIC: &[u8] = &[0x1f, 0x8b];
const XZ_MAGIC: &[u8] = &[0xfd, b'7', b'z', b'X', b'Z', 0x00];
/// A local file header, or the end record of an empty archive.
const ZIP_MAGICS: [&[u8]; 2] = [b"PK\x03\x04", b"PK\x05\x06"];

/// Formats recognised only to be refused: (magic bytes, name, how to decompress).
const REFUSED: [(&[u8], &str, &str); 3] = [
    (b"BZh", "bzip2", "bunzip2"),
    (&[0x28, 0xb5, 0x2f, 0xfd], "zstd", "zstd -d"),
    (&[b'7', b'z', 0xbc, 0xaf, 0x27, 0x1c], "7z", "7z x"),
];

/// Where a tar archive (plain or inside gzip) carries its magic `ustar`.
const TAR_MAGIC_AT: usize = 257;

/// The text of the file whose bytes are `raw`; errors name `path`.
pub(super) fn decompressed(path: &Path, raw: Vec<u8>) -> Result<Vec<u8>, QplibError> {
    let text = if raw.starts_with(GZIP_MAGIC) {
        gunzipped(path, &raw)?
    } else if raw.starts_with(XZ_MAGIC) {
        let mut text = Vec::new();
        lzma_rs::xz_decompress(&mut raw.as_slice(), &mut text).map_err(|error| container(path, format!("not a readable xz file (truncated or corrupt?): {error}")))?;
        text
    } else if ZIP_MAGICS.iter().any(|magic| raw.starts_with(magic)) {
        let member = single_zip_entry(path, raw)?;
        if member.starts_with(GZIP_MAGIC) { gunzipped(path, &member)? } else { member }
    } else {
        raw
    };
    if text.get(TAR_MAGIC_AT..TAR_MAGIC_AT + 5) == Some(b"ustar") {
        return Err(container(path, "a tar archive, which aocbench does not read: extract it first (tar xf)".into()));
    }
    refuse_other_formats(path, text)
}

fn gunzipped(path: &Path, raw: &[u8]) -> Result<Vec<u8>, QplibError> {
    let mut text = Vec::new();
    MultiGzDecoder::new(raw).read_to_end(&mut text).map_err(|error| container(path, format!("not a readable gzip file: {error}")))?;
    Ok(text)
}

/// `raw` unless it starts like a compressed format the reader refuses.
fn refuse_other_formats(path: &Path, raw: Vec<u8>) -> Result<Vec<u8>, QplibError> {
    if let Some((_, name, command)) = REFUSED.iter().find(|(magic, _, _)| raw.starts_with(magic)) {
        return Err(container(
            path,
            format!(
                "{name}-compressed, which aocbench does not read (it reads plain, gzip, xz and zip files): decompress it first ({command})"
            ),
        ));
    }
    Ok(raw)
}

/// The instance of a zip archive: its one `.qplib` (or `.qplib.gz`) member, or its one file;
/// an archive with none or several is refused, listing them.
fn single_zip_entry(path: &Path, raw: Vec<u8>) -> Result<Vec<u8>, QplibError> {
    let corrupt = |error: zip::result::ZipError| {
        container(path, format!("not a readable zip archive: {error}"))
    };
    let mut archive = zip::ZipArchive::new(io::Cursor::new(raw)).map_err(corrupt)?;
    let files: Vec<String> = archive
        .file_names()
        .filter(|name| !name.ends_with('/'))
        .map(String::from)
        .collect();
    let is_instance = |name: &&String| {
        let lower = name.to_ascii_lowercase();
        lower.ends_with(".qplib") || lower.ends_with(".qplib.gz")
    };
    let instances: Vec<&String> = files.iter().filter(is_instance).collect();
    let name: &String = match (instances.as_slice(), files.as_slice()) {
        ([name], _) => name,
        ([], [name]) => name,
        (_, []) => return Err(container(path, "a zip archive must hold one instance file; this one holds none".into())),
        _ => {
            return Err(container(
                path,
                format!("a zip archive must hold one instance file (.qplib); this one holds {} files: {}", files.len(), files.join(", ")),
            ))
        }
    };
    let mut entry = archive.by_name(name).map_err(corrupt)?;
    let mut text = Vec::new();
    entry.read_to_end(&mut text).map_err(|error| {
        container(
            path,
            format!("cannot decompress {name} in the zip archive: {error}"),
        )
    })?;
    Ok(text)
}

fn container(path: &Path, problem: String) -> QplibError {
    QplibError::Container {
        path: path.to_path_buf(),
        problem,
    }
}
