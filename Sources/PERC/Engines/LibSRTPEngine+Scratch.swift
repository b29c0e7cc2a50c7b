internal import CPERCShims

extension LibSRTPEngine {
    /// The engine's working copy of a packet. libsrtp2 transforms in place and not every failure
    /// leaves the buffer as it was: NSS's in-place AES-GCM decryption overwrites the payload even
    /// when the tag does not verify (seen in the tamper tests without this copy), and
    /// `srtp_protect` writes the MKI past the packet before its replay check. So every call runs
    /// on this copy and the caller's buffer is written only on success. Allocated once, grown
    /// when a larger packet arrives, 16-octet aligned (libsrtp2 reads the header as 32-bit words).
    struct Scratch {
        private var storage: UnsafeMutableRawPointer?
        private var capacity = 0

        /// A region of at least `count` octets. Earlier contents are not kept.
        mutating func reserve(_ count: Int) -> UnsafeMutableRawPointer {
            if let storage, capacity >= count { return storage }
            release()
            let grown = max(count, 2048)
            let region = UnsafeMutableRawPointer.allocate(byteCount: grown, alignment: 16)
            storage = region
            capacity = grown
            return region
        }

        /// Zeroes (it held media) and frees the region.
        mutating func release() {
            guard let storage else { return }
            perc_wipe(storage, capacity)
            storage.deallocate()
            self.storage = nil
            capacity = 0
        }
    }
}
