import Glibc

/// A key as a test may hold it: XOR-masked, so the test process never holds a plain copy that a
/// scan would find. Comparisons unmask one octet at a time, in registers.
struct MaskedKey: Sendable {
    static let mask: UInt8 = 0x5A
    let masked: [UInt8]

    init(masked: [UInt8]) {
        precondition(!masked.isEmpty)
        self.masked = masked
    }

    /// The first `count` octets (for instance the master key without its salt).
    func prefix(_ count: Int) -> MaskedKey { MaskedKey(masked: Array(masked.prefix(count))) }
}

/// Reads this process's own memory the way a memory-disclosure bug or a debugger would.
///
/// Mappings come from `/proc/self/maps`, read with `open`/`read` (not Foundation, which would make
/// its own copies and allocations). Every mapping, whatever its protection, is read through
/// `pread` on `/proc/self/mem`: the kernel reads it for the owning process with `FOLL_FORCE`
/// (CONFIG_PROC_MEM_ALWAYS_FORCE, the default), so `PROT_NONE` sealed regions are read too — the
/// positive controls rely on that. The scanner's own read buffer is a separate mapping that is
/// never scanned and is zeroed before it is unmapped.
enum MemoryScanner {
    struct Mapping: CustomStringConvertible {
        let start: UInt
        let end: UInt
        let permissions: String
        let name: String
        var description: String {
            "\(String(start, radix: 16))-\(String(end, radix: 16)) \(permissions) \(name)"
        }
    }

    struct Result {
        /// Places where the key was found.
        var matches: [UInt] = []
        var bytesScanned = 0
        /// Mappings the kernel refused to read (for instance `[vvar]`), or skipped for size, with
        /// the errno of the refusal (0 when skipped).
        var unread: [(mapping: Mapping, errno: Int32)] = []
    }

    /// Mappings larger than this are not read (AddressSanitizer's shadow spans terabytes).
    static let largestScannedMapping: UInt = 1 << 32
    private static let chunk = 1 << 20

    /// The whole content of a `/proc` file, read with `open`/`read` in a loop.
    static func readProcFile(_ path: String) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        precondition(fd >= 0, "cannot open \(path)")
        defer { close(fd) }
        var content: [UInt8] = []
        var block = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = block.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            precondition(n >= 0, "cannot read \(path)")
            if n == 0 { return content }
            content.append(contentsOf: block[..<n])
        }
    }

    static func mappings() -> [Mapping] {
        let text = String(decoding: readProcFile("/proc/self/maps"), as: UTF8.self)
        return text.split(separator: "\n").compactMap(parseMappingLine)
    }

    /// `start-end perms offset dev inode [name]`.
    private static func parseMappingLine(_ line: Substring) -> Mapping? {
        let fields = line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)
        guard fields.count >= 5 else { return nil }
        let range = fields[0].split(separator: "-")
        guard range.count == 2, let start = UInt(range[0], radix: 16),
            let end = UInt(range[1], radix: 16)
        else { return nil }
        let name = fields.count > 5 ? fields[5].trimmingPrefix(while: { $0 == " " }) : ""
        return Mapping(start: start, end: end, permissions: String(fields[1]), name: String(name))
    }

    /// Every place in the process's memory where `key` occurs.
    static func scan(for key: MaskedKey) -> Result {
        let fd = open("/proc/self/mem", O_RDONLY | O_CLOEXEC)
        precondition(fd >= 0, "cannot open /proc/self/mem")
        defer { close(fd) }
        let buffer = mmap(nil, chunk, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)!
        precondition(buffer != MAP_FAILED)
        defer {
            explicit_bzero(buffer, chunk)
            munmap(buffer, chunk)
        }
        let own = UInt(bitPattern: buffer)..<UInt(bitPattern: buffer) + UInt(chunk)

        var result = Result()
        for mapping in mappings() {
            // [vsyscall] lies beyond pread's offset range; [vvar] and [vvar_vclock] are the
            // kernel's clock pages for the vDSO, which /proc/self/mem refuses (EIO).
            guard mapping.start <= UInt(Int.max), !mapping.name.hasPrefix("[vvar") else {
                result.unread.append((mapping, 0))
                continue
            }
            guard mapping.end - mapping.start <= largestScannedMapping else {
                result.unread.append((mapping, 0))
                continue
            }
            // Leave out the scanner's own buffer, which may share a mapping with its neighbours.
            var ranges = [mapping.start..<mapping.end]
            if ranges[0].overlaps(own) {
                ranges = [
                    mapping.start..<max(mapping.start, own.lowerBound),
                    min(mapping.end, own.upperBound)..<mapping.end,
                ].filter { !$0.isEmpty }
            }
            for range in ranges {
                rescan(range, fd: fd, buffer: buffer, for: key, into: &result)
            }
        }
        return result
    }

    /// Scans `range`; where the kernel refuses a read, waits and reads what is mapped now of the
    /// rest of the range, up to `attempts` times. Other threads map and unmap while the scan runs
    /// (posix_spawn's short-lived child stack refuses reads until the child has exec'd); what is
    /// gone has nothing left to find.
    private static func rescan(
        _ range: Range<UInt>, fd: Int32, buffer: UnsafeMutableRawPointer, for key: MaskedKey,
        into result: inout Result, attempts: Int = 3
    ) {
        guard let failed = scan(range, fd: fd, buffer: buffer, for: key, into: &result) else {
            return
        }
        for now in mappings() {
            let (low, high) = (max(now.start, failed.offset), min(now.end, range.upperBound))
            guard low < high else { continue }
            if attempts > 0 {
                usleep(20_000)
                rescan(
                    low..<high, fd: fd, buffer: buffer, for: key, into: &result,
                    attempts: attempts - 1)
            } else {
                result.unread.append((now, failed.errno))
            }
        }
    }

    /// Scans `range` chunk by chunk; chunks overlap by `key.count - 1` octets so that a key
    /// straddling two chunks is found once. Returns where and why the kernel refused a read.
    private static func scan(
        _ range: Range<UInt>, fd: Int32, buffer: UnsafeMutableRawPointer, for key: MaskedKey,
        into result: inout Result
    ) -> (offset: UInt, errno: Int32)? {
        let m = key.masked.count
        var offset = range.lowerBound
        while offset < range.upperBound {
            let wanted = Int(min(UInt(chunk), range.upperBound - offset))
            let n = pread(fd, buffer, wanted, off_t(offset))
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { return (offset, n == 0 ? EIO : errno) }
            for position in positions(of: key, in: UnsafeRawBufferPointer(start: buffer, count: n))
            {
                result.matches.append(offset + UInt(position))
            }
            result.bytesScanned += n
            if offset + UInt(n) >= range.upperBound { break }
            offset += UInt(n >= m ? n - m + 1 : n)
        }
        return nil
    }

    /// Start offsets of `key` in `haystack`: `memchr` for the first octet (unmasked alone), then a
    /// masked comparison of the rest.
    private static func positions(of key: MaskedKey, in haystack: UnsafeRawBufferPointer) -> [Int] {
        let m = key.masked.count
        guard haystack.count >= m, let base = haystack.baseAddress else { return [] }
        let first = Int32(key.masked[0] ^ MaskedKey.mask)
        var found: [Int] = []
        var start = 0
        let lastStart = haystack.count - m
        while start <= lastStart {
            guard let hit = memchr(base + start, first, lastStart - start + 1) else { break }
            let position = UnsafeRawPointer(hit) - base
            var equal = true
            for j in 1..<m where haystack[position + j] ^ MaskedKey.mask != key.masked[j] {
                equal = false
                break
            }
            if equal { found.append(position) }
            start = position + 1
        }
        return found
    }

    /// The `VmFlags` of the mapping that contains `address` (two-letter codes from
    /// `/proc/self/smaps`, such as `lo` locked and `dd` not dumped), or nil if none contains it.
    static func vmFlags(containing address: UnsafeRawPointer) -> Set<String>? {
        let target = UInt(bitPattern: address)
        let text = String(decoding: readProcFile("/proc/self/smaps"), as: UTF8.self)
        var inside = false
        for line in text.split(separator: "\n") {
            if let mapping = parseMappingLine(line), line.first?.isHexDigit == true,
                line.contains("-")
            {
                inside = (mapping.start..<mapping.end).contains(target)
            } else if inside, line.hasPrefix("VmFlags:") {
                return Set(line.dropFirst("VmFlags:".count).split(separator: " ").map(String.init))
            }
        }
        return nil
    }

    /// True if `address` lies in some mapping of the process.
    static func isMapped(_ address: UnsafeRawPointer) -> Bool {
        let target = UInt(bitPattern: address)
        return mappings().contains { ($0.start..<$0.end).contains(target) }
    }
}
