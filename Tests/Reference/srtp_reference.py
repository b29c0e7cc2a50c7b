#!/usr/bin/env python3
"""Independent SRTP/SRTCP reference for the libsrtp2 engine tests.

Written from the RFC text alone (RFC 3711 §3.1, §3.4, §4.1.1, §4.2.1, §4.3.1; RFC 6188 §2-3;
RFC 7714 §8-9) on Python `cryptography` (OpenSSL). It shares no code with libsrtp2 or with the
engines, so the hex it prints is an outside check of what `srtp_protect` produces.

Run `python3 Tests/Reference/srtp_reference.py` to print the expected packets embedded in
Tests/PERCTests/LibSRTPReferenceVectorTests.swift.
"""
import hashlib
import hmac

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PROFILES = {
    # name: (master key octets, master salt octets, cipher, SRTP tag octets)
    "AES_CM_128_HMAC_SHA1_80": (16, 14, "ctr", 10),
    "AES_CM_128_HMAC_SHA1_32": (16, 14, "ctr", 4),
    "AES_CM_192_HMAC_SHA1_80": (24, 14, "ctr", 10),
    "AES_CM_256_HMAC_SHA1_80": (32, 14, "ctr", 10),
    "AES_CM_256_HMAC_SHA1_32": (32, 14, "ctr", 4),
    "NULL_HMAC_SHA1_80": (16, 14, "null", 10),
    "NULL_HMAC_SHA1_32": (16, 14, "null", 4),
    "AEAD_AES_128_GCM": (16, 12, "gcm", 16),
    "AEAD_AES_256_GCM": (32, 12, "gcm", 16),
}


def aes_ctr(key: bytes, iv: int, data: bytes) -> bytes:
    """AES counter mode from a 128-bit IV, counter incremented mod 2^128 (RFC 3711 §4.1.1)."""
    enc = Cipher(algorithms.AES(key), modes.CTR(iv.to_bytes(16, "big"))).encryptor()
    return enc.update(data) + enc.finalize()


def kdf(master_key: bytes, master_salt: bytes, label: int, length: int) -> bytes:
    """RFC 3711 §4.3.1 with key_derivation_rate 0 (r = 0); AES-n PRF per RFC 6188 §3.

    A 96-bit GCM master salt is padded with two zero octets to 112 bits (libsrtp2 does this; the
    RFC 7714 text does not spell it out).
    """
    salt = master_salt + bytes(14 - len(master_salt))
    key_id = label << 48  # label ‖ r, r = index DIV 0 = 0
    x = key_id ^ int.from_bytes(salt, "big")
    return aes_ctr(master_key, x << 16, bytes(length))


def session_keys(profile: str, master_key: bytes, master_salt: bytes, rtcp: bool):
    key_len, salt_len, cipher, _ = PROFILES[profile]
    base = 3 if rtcp else 0
    k_e = kdf(master_key, master_salt, base + 0, key_len)
    k_a = kdf(master_key, master_salt, base + 1, 20)
    k_s = kdf(master_key, master_salt, base + 2, 12 if cipher == "gcm" else 14)
    return k_e, k_a, k_s


def rtp_header_length(packet: bytes) -> int:
    cc = packet[0] & 0x0F
    length = 12 + 4 * cc
    if packet[0] & 0x10:
        words = int.from_bytes(packet[length + 2:length + 4], "big")
        length += 4 + 4 * words
    return length


def aes_cm_iv(k_s: bytes, ssrc: int, index: int) -> int:
    """RFC 3711 §4.1.1: IV = (k_s·2^16) XOR (SSRC·2^64) XOR (i·2^16)."""
    return (int.from_bytes(k_s, "big") << 16) ^ (ssrc << 64) ^ (index << 16)


def seal_rtp_gcm(k_e, k_s, header, payload, ssrc, roc, seq) -> bytes:
    """RFC 7714 §8.1-8.2: IV = (00 00 ‖ SSRC ‖ ROC ‖ SEQ) XOR salt, AAD = RTP header."""
    iv = (ssrc << 48 | roc << 16 | seq) ^ int.from_bytes(k_s, "big")
    return AESGCM(k_e).encrypt(iv.to_bytes(12, "big"), payload, header)


def seal_rtcp_gcm(k_e, k_s, packet, ssrc, index, encrypt) -> bytes:
    """RFC 7714 §9.1-9.3: IV = (00 00 ‖ SSRC ‖ 00 00 ‖ 0‖index) XOR salt.

    E=1: AAD = first 8 octets ‖ E‖index, wire = first 8 ‖ ciphertext ‖ tag ‖ E‖index.
    E=0: AAD = whole packet ‖ E‖index, empty plaintext, wire = packet ‖ tag ‖ E‖index.
    """
    trailer = ((0x80000000 if encrypt else 0) | index).to_bytes(4, "big")
    iv = ((ssrc << 48 | index) ^ int.from_bytes(k_s, "big")).to_bytes(12, "big")
    if encrypt:
        return packet[:8] + AESGCM(k_e).encrypt(iv, packet[8:], packet[:8] + trailer) + trailer
    return packet + AESGCM(k_e).encrypt(iv, b"", packet + trailer) + trailer


def protect_rtp(profile, master_key, master_salt, packet, roc, encrypt=True, mki=b""):
    _, _, cipher, tag_len = PROFILES[profile]
    k_e, k_a, k_s = session_keys(profile, master_key, master_salt, rtcp=False)
    hlen = rtp_header_length(packet)
    header, payload = packet[:hlen], packet[hlen:]
    seq = int.from_bytes(packet[2:4], "big")
    ssrc = int.from_bytes(packet[8:12], "big")
    index = (roc << 16) | seq
    if cipher == "gcm":
        assert encrypt, "libsrtp2 has no unencrypted AEAD SRTP"
        return header + seal_rtp_gcm(k_e, k_s, header, payload, ssrc, roc, seq) + mki
    if cipher == "ctr" and encrypt:
        payload = aes_ctr(k_e, aes_cm_iv(k_s, ssrc, index), payload)
    authenticated = header + payload
    # RFC 3711 §4.2: M = Authenticated Portion ‖ ROC
    tag = hmac.new(k_a, authenticated + roc.to_bytes(4, "big"), hashlib.sha1).digest()[:tag_len]
    return authenticated + mki + tag  # RFC 3711 §3.1: MKI, then tag


def protect_rtcp(profile, master_key, master_salt, packet, index, encrypt=True, mki=b""):
    _, _, cipher, _ = PROFILES[profile]
    k_e, k_a, k_s = session_keys(profile, master_key, master_salt, rtcp=True)
    ssrc = int.from_bytes(packet[4:8], "big")
    # RFC 3711 §3.4: E says whether the packet is encrypted; with the NULL cipher it is not.
    encrypt = encrypt and cipher != "null"
    trailer = ((0x80000000 if encrypt else 0) | index).to_bytes(4, "big")
    if cipher == "gcm":
        return seal_rtcp_gcm(k_e, k_s, packet, ssrc, index, encrypt) + mki
    body = packet
    if cipher == "ctr" and encrypt:
        body = packet[:8] + aes_ctr(k_e, aes_cm_iv(k_s, ssrc, index), packet[8:])
    # RFC 3711 §3.4: tag over the packet ‖ E‖index; 80 bits for every HMAC-SHA1 suite
    tag = hmac.new(k_a, body + trailer, hashlib.sha1).digest()[:10]
    return body + trailer + mki + tag


MASTER_KEY = bytes.fromhex(
    "e1f97a0d3e018be0d64fa32c06de4139" "0ec675ad498afeebb6960b3aabe6f0f1")  # first 16/24/32 used
MASTER_SALT = bytes.fromhex("0ec675ad498afeebb6960b3aabe6")  # first 14 or 12 used
RTP = bytes.fromhex("800f1234decafbadcafebabe" + "abababababababababababababababab")
RTCP = bytes.fromhex("80c90001cafebabe" + "0102030405060708090a0b0c")
MKI = bytes.fromhex("a1b2c3d4")
# The SRTCP index of the first packet libsrtp2 sends is 1 (srtp_rdb_increment runs before use),
# so the SRTCP vectors use index 1.


def libsrtp_2_5_aes192_rtp(master_key, master_salt, packet) -> bytes:
    """What libsrtp2 2.5 actually sends for AES_CM_192_HMAC_SHA1_80 (not RFC 6188).

    srtp_stream_init_keys() uses a 46-octet KDF whenever key ‖ salt exceeds 30 octets, so the
    24-octet key is zero-extended and an AES-256 PRF is keyed with master key ‖ salt[0:8], its
    "salt" being salt[8:14] ‖ 0^8. Kept only to pin down why the engine refuses AES-192.
    """
    buf = master_key + master_salt + bytes(8)
    prf_key, prf_salt = buf[:32], buf[32:46]

    def derive(label, n):
        return aes_ctr(prf_key, ((label << 48) ^ int.from_bytes(prf_salt, "big")) << 16, bytes(n))

    k_e, k_a, k_s = derive(0, 24), derive(1, 20), derive(2, 14)
    hlen = rtp_header_length(packet)
    seq = int.from_bytes(packet[2:4], "big")
    ssrc = int.from_bytes(packet[8:12], "big")
    body = packet[:hlen] + aes_ctr(k_e, aes_cm_iv(k_s, ssrc, seq), packet[hlen:])
    return body + hmac.new(k_a, body + bytes(4), hashlib.sha1).digest()[:10]


def self_test():
    """The building blocks reproduce the published RFC vectors before anything is printed."""
    h = bytes.fromhex
    mk, ms = h("e1f97a0d3e018be0d64fa32c06de4139"), h("0ec675ad498afeebb6960b3aabe6")
    assert kdf(mk, ms, 0, 16) == h("c61e7a93744f39ee10734afe3ff7a087")  # RFC 3711 B.3
    assert kdf(mk, ms, 2, 14) == h("30cbbc08863d8c85d49db34a9ae1")
    assert kdf(mk, ms, 1, 20) == h("cebe321f6ff7716b6fd4ab49af256a156d38baa4")
    mk = h("f0f04914b513f2763a1b1fa130f10e2998f6f6e43e4309d1e622a0e332b9f1b6")
    ms = h("3b04803de51ee7c96423ab5b78d2")
    assert kdf(mk, ms, 0, 32) == h("5ba1064e30ec51613cad926c5a28ef731ec7fb397f70a960653caf06554cd8c4")
    assert kdf(mk, ms, 2, 14) == h("fa31791685ca444a9e07c6c64e93")  # RFC 6188 §7.2
    assert kdf(mk, ms, 1, 20) == h("fd9c32d39ed5fbb5a9dc96b30818454d1313dc05")
    iv = aes_cm_iv(h("f0f1f2f3f4f5f6f7f8f9fafbfcfd"), 0, 0)  # RFC 3711 B.2
    assert aes_ctr(h("2b7e151628aed2a6abf7158809cf4f3c"), iv, bytes(16)) == h(
        "e03ead0935c95e80e166b16dd92b4eb4")
    k, s = h("000102030405060708090a0b0c0d0e0f"), h("517569642070726f2071756f")
    pkt = h("8040f17b8041f8d35501a0b2" "47616c6c69612065737420" "6f6d6e6973206469766973"
            "6120696e207061727465732074726573")
    assert seal_rtp_gcm(k, s, pkt[:12], pkt[12:], 0x5501A0B2, 0, 0xF17B) == h(  # RFC 7714 §16.1.1
        "f24de3a3fb34de6cacba861c9d7e4bcabe633bd50d294e6f42a5f47a51c7d19b36de3adf8833"
        "899d7f27beb16a9152cf765ee4390cce")
    rtcp = h("81c8000d4d6172734e5450314e545032525450200000042a0000e9304c756e61" + "deadbeef" * 5)
    assert seal_rtcp_gcm(k, s, rtcp, 0x4D617273, 0x5D4, True) == h(  # RFC 7714 §17.1
        "81c8000d4d61727363e94885dcdab67ca727d7662f6b7e997ff5c0f76c06f32dc676a5f1730d6fda"
        "4ce09b4686303ded0bb9275bc84aa45896cf4d2fc5abf87245d9eade800005d4")


def main():
    self_test()
    for name, (key_len, salt_len, cipher, _) in PROFILES.items():
        key, salt = MASTER_KEY[:key_len], MASTER_SALT[:salt_len]
        print(f"{name}")
        print(f"  rtp roc0       {protect_rtp(name, key, salt, RTP, 0).hex()}")
        print(f"  rtp roc5 mki   {protect_rtp(name, key, salt, RTP, 5, mki=MKI).hex()}")
        if cipher != "gcm":
            print(f"  rtp authonly   {protect_rtp(name, key, salt, RTP, 0, encrypt=False).hex()}")
        print(f"  rtcp idx1      {protect_rtcp(name, key, salt, RTCP, 1).hex()}")
        print(f"  rtcp idx1 mki  {protect_rtcp(name, key, salt, RTCP, 1, mki=MKI).hex()}")
        print(f"  rtcp authonly  {protect_rtcp(name, key, salt, RTCP, 1, encrypt=False).hex()}")
    key, salt = MASTER_KEY[:24], MASTER_SALT
    print(f"AES_CM_192_HMAC_SHA1_80 as libsrtp2 2.5 derives it")
    print(f"  rtp roc0       {libsrtp_2_5_aes192_rtp(key, salt, RTP).hex()}")


if __name__ == "__main__":
    main()
