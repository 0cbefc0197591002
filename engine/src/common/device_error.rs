//! A device that ran out of memory, told apart from other failures by the words burn's runtimes
//! use for it, so that the page can explain it (a smaller batch or network needs less) instead of
//! showing a bare crash.

/// What cubecl (`IoError::OutOfMemory`, `IoError::BufferTooBig`) and wgpu (`Error::OutOfMemory`)
/// write when an allocation does not fit.
const OUT_OF_MEMORY: [&str; 4] = [
    "out of device memory",
    "can't allocate buffer of size",
    "out of memory",
    "outofmemory",
];

/// Whether `message` (a panic's or a failed read's) says that the device's memory ran out.
pub fn is_out_of_memory(message: &str) -> bool {
    let message = message.to_lowercase();
    OUT_OF_MEMORY.iter().any(|words| message.contains(words))
}

/// The size in bytes of the allocation that did not fit, when `message` names it (cubecl writes
/// "allocating N bytes", "buffer of size: N" or "OutOfMemory { size: N }").
pub fn requested_bytes(message: &str) -> Option<u64> {
    const BEFORE_SIZE: [&str; 3] = ["allocating ", "buffer of size: ", "size: "];
    let message = message.to_lowercase();
    BEFORE_SIZE.iter().find_map(|words| {
        let (_, after) = message.split_once(words)?;
        let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
        digits.parse().ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allocation_failures_are_out_of_memory_and_other_failures_are_not() {
        // The formats of cubecl-runtime 0.11's IoError and wgpu 30's Error, as a read's
        // ExecutionError and the worker's panic hook carry them.
        for message in [
            "An error happened during execution\nCaused by:\n  out of device memory allocating 4294967296 bytes\n",
            "panicked at read.rs:20:13:\nthe device could not finish: can't allocate buffer of size: 4294967296\n",
            "panicked at device_poison.rs:42:17:\nwgpu error: Out of Memory",
            "IoError(OutOfMemory { size: 8 })",
        ] {
            assert!(is_out_of_memory(message), "{message}");
        }
        for message in [
            "panicked at src/lib.rs:169:33:\ncrash requested by the page",
            "wgpu error: Validation Error\n\nCaused by:\n  In a set_bind_group command",
            "the device could not finish: memory access out of bounds",
        ] {
            assert!(!is_out_of_memory(message), "{message}");
        }
    }

    #[test]
    fn the_size_that_did_not_fit_is_read_from_the_message() {
        for (message, bytes) in [
            (
                "Caused by:\n  out of device memory allocating 4294967296 bytes\n",
                Some(4_294_967_296),
            ),
            (
                "the device could not finish: can't allocate buffer of size: 3221225472",
                Some(3_221_225_472),
            ),
            ("IoError(OutOfMemory { size: 8 })", Some(8)),
            ("wgpu error: Out of Memory", None),
            ("can't allocate buffer of size: lots", None),
        ] {
            assert_eq!(requested_bytes(message), bytes, "{message}");
        }
    }
}
