#!/usr/bin/env python3
"""Generates Vectors/swift_perc_profiles.json: SRTP and SRTCP packet vectors for every profile
swift-perc implements, keyed with MASTER keys so that libsrtp2 can run them too.

This is an independent implementation of the constructions (our own code), built only on the
block cipher, HMAC and GCM primitives of python-cryptography:
  - the SRTP key derivation function        RFC 3711 §4.3.1-4.3.3, RFC 6188 §3
  - AES counter mode (AES-CM)               RFC 3711 §4.1.1, RFC 6188 §2
  - HMAC-SHA1 authentication               RFC 3711 §4.2.1
  - the SRTP/SRTCP packet layouts           RFC 3711 §3.1, §3.4
  - AES-GCM for SRTP and SRTCP              RFC 7714 §7-§9

Before writing anything the script runs a self-test of the same code paths against the published
known answers held next to it in Vectors/ (RFC 3711 Appendix B, RFC 6188 §7, RFC 7714 §16-17),
and round-trips every vector it generates through its own unprotect.

Usage:
  generate_profile_vectors.py               self-test, then (re)write swift_perc_profiles.json
  generate_profile_vectors.py --self-test   self-test only
  generate_profile_vectors.py --check       self-test, then fail if the committed file differs
"""

import argparse
import hashlib
import hmac as stdlib_hmac
import json
import pathlib
import sys
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

VECTORS_DIR = pathlib.Path(__file__).resolve().parent.parent
OUTPUT = VECTORS_DIR / "swift_perc_profiles.json"


class Rejected(Exception):
    """Unprotect refused a packet (authentication failure, wrong MKI, truncated)."""


# ----------------------------------------------------------------------------------------------
# Profiles (RFC 3711 §8.2, RFC 6188 §5, RFC 7714 §14.2)


@dataclass(frozen=True)
class Profile:
    name: str
    cipher: str  # "aes_cm", "null" or "aes_gcm"
    key_length: int  # master key = session encryption key length, octets
    salt_length: int  # master salt = session salt length, octets
    rtp_tag: int  # SRTP tag length, octets
    rtcp_tag: int  # SRTCP tag length, octets (the _32 suites keep 80 bits for SRTCP)

    @property
    def aead(self):
        return self.cipher == "aes_gcm"


PROFILES = [
    Profile("AES_CM_128_HMAC_SHA1_80", "aes_cm", 16, 14, 10, 10),
    Profile("AES_CM_128_HMAC_SHA1_32", "aes_cm", 16, 14, 4, 10),
    Profile("AES_CM_192_HMAC_SHA1_80", "aes_cm", 24, 14, 10, 10),
    Profile("AES_CM_256_HMAC_SHA1_80", "aes_cm", 32, 14, 10, 10),
    Profile("AES_CM_256_HMAC_SHA1_32", "aes_cm", 32, 14, 4, 10),
    Profile("NULL_HMAC_SHA1_80", "null", 16, 14, 10, 10),
    Profile("NULL_HMAC_SHA1_32", "null", 16, 14, 4, 10),
    Profile("AEAD_AES_128_GCM", "aes_gcm", 16, 12, 16, 16),
    Profile("AEAD_AES_256_GCM", "aes_gcm", 32, 12, 16, 16),
]
HMAC_KEY_LENGTH = 20  # n_a = 160 bits (RFC 3711 §8.2)

# ----------------------------------------------------------------------------------------------
# AES counter mode and the key derivation function


def aes_block(key, block):
    """One AES encryption of a 16-octet block (AES-128/192/256 by key length)."""
    encryptor = Cipher(algorithms.AES(key), modes.ECB()).encryptor()
    return encryptor.update(block) + encryptor.finalize()


def aes_cm_keystream(key, iv, length):
    """AES-CM keystream: E(k, IV) || E(k, IV + 1) || ... (mod 2^128), truncated (RFC 3711 §4.1.1)."""
    start = int.from_bytes(iv, "big")
    out = bytearray()
    block = 0
    while len(out) < length:
        counter = (start + block) % (1 << 128)
        out += aes_block(key, counter.to_bytes(16, "big"))
        block += 1
    return bytes(out[:length])


def xor(a, b):
    return bytes(x ^ y for x, y in zip(a, b))


LABELS = {
    "rtp_encryption": 0x00,
    "rtp_auth": 0x01,
    "rtp_salt": 0x02,
    "rtcp_encryption": 0x03,
    "rtcp_auth": 0x04,
    "rtcp_salt": 0x05,
}


def kdf(master_key, master_salt, label, length, index=0, kdr=0):
    """SRTP KDF (RFC 3711 §4.3.1): the PRF is AES-CM keyed with the master key (AES-128/192/256 by
    its length, RFC 6188 §3), IV = (key_id XOR master_salt) * 2^16, key_id = label || r (56 bits),
    r = index DIV kdr (0 when kdr is 0).

    A 12-octet GCM master salt is extended with two zero octets to 112 bits, as libsrtp does
    (the RFC 7714 text does not spell this out)."""
    salt = master_salt + bytes(14 - len(master_salt))
    r = index // kdr if kdr else 0
    key_id = (label << 48) | (r & ((1 << 48) - 1))
    x = int.from_bytes(salt, "big") ^ key_id
    return aes_cm_keystream(master_key, (x << 16).to_bytes(16, "big"), length)


@dataclass(frozen=True)
class SessionKeys:
    encryption: bytes
    salt: bytes
    auth: bytes  # empty for AEAD


def derive_session_keys(profile, master_key, master_salt):
    """(SRTP keys, SRTCP keys) derived with labels 0x00-0x05 (RFC 3711 §4.3.2), KDR 0."""

    def one(enc_label, auth_label, salt_label):
        return SessionKeys(
            kdf(master_key, master_salt, enc_label, profile.key_length),
            kdf(master_key, master_salt, salt_label, profile.salt_length),
            b"" if profile.aead else kdf(master_key, master_salt, auth_label, HMAC_KEY_LENGTH),
        )

    return one(0x00, 0x01, 0x02), one(0x03, 0x04, 0x05)


def hmac_sha1(key, message):
    h = hmac.HMAC(key, hashes.SHA1())
    h.update(message)
    return h.finalize()


def aes_cm_iv(salt, ssrc, index):
    """IV = (k_s * 2^16) XOR (SSRC * 2^64) XOR (i * 2^16) (RFC 3711 §4.1.1)."""
    value = (int.from_bytes(salt, "big") << 16) ^ (ssrc << 64) ^ (index << 16)
    return value.to_bytes(16, "big")


def gcm_rtp_iv(salt, ssrc, roc, seq):
    """00 00 || SSRC || ROC || SEQ, XOR the 12-octet salt (RFC 7714 §8.1)."""
    return xor(bytes(2) + ssrc.to_bytes(4, "big") + roc.to_bytes(4, "big")
               + seq.to_bytes(2, "big"), salt)


def gcm_rtcp_iv(salt, ssrc, srtcp_index):
    """00 00 || SSRC || 00 00 || 0 | 31-bit index, XOR the 12-octet salt (RFC 7714 §9.1)."""
    return xor(bytes(2) + ssrc.to_bytes(4, "big") + bytes(2)
               + (srtcp_index & 0x7FFFFFFF).to_bytes(4, "big"), salt)


# ----------------------------------------------------------------------------------------------
# SRTP (RFC 3711 §3.1; RFC 7714 §8)


def rtp_header_length(packet):
    """12 + 4*CC, plus the extension block when X is set (RFC 3550 §5.1, §5.3.1)."""
    if len(packet) < 12 or packet[0] >> 6 != 2:
        raise ValueError("not an RTP packet")
    length = 12 + 4 * (packet[0] & 0x0F)
    if packet[0] & 0x10:
        words = int.from_bytes(packet[length + 2:length + 4], "big")
        length += 4 + 4 * words
    if length > len(packet):
        raise ValueError("RTP header runs past the packet")
    return length


def protect_rtp(profile, keys, packet, roc, encrypt=True, mki=b""):
    header_length = rtp_header_length(packet)
    header, payload = packet[:header_length], packet[header_length:]
    seq = int.from_bytes(packet[2:4], "big")
    ssrc = int.from_bytes(packet[8:12], "big")
    if profile.aead:
        iv = gcm_rtp_iv(keys.salt, ssrc, roc, seq)
        if encrypt:
            # AAD = the RTP header; plaintext = payload (RFC 7714 §8.2).
            sealed = AESGCM(keys.encryption).encrypt(iv, payload, header)
            out = header + sealed
        else:
            # Authentication only: the whole packet is AAD, the GCM plaintext is empty (§7.1).
            out = packet + AESGCM(keys.encryption).encrypt(iv, b"", packet)
        # header || ciphertext || AEAD tag || MKI (RFC 7714 §7.1, Figure 1).
        return out + mki
    index = (roc << 16) | seq  # RFC 3711 §3.3.1
    if profile.cipher == "aes_cm" and encrypt:
        payload = xor(payload, aes_cm_keystream(keys.encryption,
                                                aes_cm_iv(keys.salt, ssrc, index), len(payload)))
    authenticated = header + payload
    # M = Authenticated Portion || ROC (RFC 3711 §4.2); the MKI is not authenticated (§3.1).
    tag = hmac_sha1(keys.auth, authenticated + roc.to_bytes(4, "big"))[:profile.rtp_tag]
    return authenticated + mki + tag


def unprotect_rtp(profile, keys, srtp, roc, encrypt=True, mki=b""):
    if profile.aead:
        if len(srtp) < 12 + 16 + len(mki) or srtp[len(srtp) - len(mki):] != mki:
            raise Rejected("MKI mismatch or truncated")
        body = srtp[:len(srtp) - len(mki)]
        header_length = rtp_header_length(body)
        seq = int.from_bytes(body[2:4], "big")
        ssrc = int.from_bytes(body[8:12], "big")
        iv = gcm_rtp_iv(keys.salt, ssrc, roc, seq)
        try:
            if encrypt:
                header = body[:header_length]
                return header + AESGCM(keys.encryption).decrypt(iv, body[header_length:], header)
            packet, tag = body[:-16], body[-16:]
            AESGCM(keys.encryption).decrypt(iv, tag, packet)
            return packet
        except Exception as error:  # cryptography raises InvalidTag
            raise Rejected("AEAD tag") from error
    trailer = len(mki) + profile.rtp_tag
    if len(srtp) < 12 + trailer:
        raise Rejected("truncated")
    authenticated = srtp[:len(srtp) - trailer]
    if srtp[len(authenticated):len(authenticated) + len(mki)] != mki:
        raise Rejected("MKI mismatch")
    expected = hmac_sha1(keys.auth, authenticated + roc.to_bytes(4, "big"))[:profile.rtp_tag]
    if not stdlib_hmac.compare_digest(expected, srtp[len(srtp) - profile.rtp_tag:]):
        raise Rejected("HMAC tag")
    header_length = rtp_header_length(authenticated)
    payload = authenticated[header_length:]
    if profile.cipher == "aes_cm" and encrypt:
        seq = int.from_bytes(srtp[2:4], "big")
        ssrc = int.from_bytes(srtp[8:12], "big")
        iv = aes_cm_iv(keys.salt, ssrc, (roc << 16) | seq)
        payload = xor(payload, aes_cm_keystream(keys.encryption, iv, len(payload)))
    return authenticated[:header_length] + payload


# ----------------------------------------------------------------------------------------------
# SRTCP (RFC 3711 §3.4; RFC 7714 §9)


def e_index_word(encrypt, srtcp_index):
    """|E| 31-bit SRTCP index| (RFC 3711 §3.4)."""
    return ((0x80000000 if encrypt else 0) | srtcp_index).to_bytes(4, "big")


def protect_rtcp(profile, keys, packet, srtcp_index, encrypt=True, mki=b""):
    header, body = packet[:8], packet[8:]  # the first 8 octets stay in the clear
    ssrc = int.from_bytes(packet[4:8], "big")
    # The NULL cipher provides no confidentiality: E = 0 whatever the session says (libsrtp2 does
    # the same; RFC 3711 §3.4: E says whether the packet is encrypted).
    word = e_index_word(encrypt and profile.cipher != "null", srtcp_index)
    if profile.aead:
        iv = gcm_rtcp_iv(keys.salt, ssrc, srtcp_index)
        if encrypt:
            # AAD = first 8 octets || E‖index; plaintext = the rest (RFC 7714 §9.2).
            sealed = header + AESGCM(keys.encryption).encrypt(iv, body, header + word)
        else:
            # E = 0: AAD = the whole packet || E‖index, plaintext empty (RFC 7714 §9.3).
            sealed = packet + AESGCM(keys.encryption).encrypt(iv, b"", packet + word)
        # ... || AEAD tag || E‖index || MKI (RFC 7714 §9, Figure 3).
        return sealed + word + mki
    if profile.cipher == "aes_cm" and encrypt:
        iv = aes_cm_iv(keys.salt, ssrc, srtcp_index)
        body = xor(body, aes_cm_keystream(keys.encryption, iv, len(body)))
    authenticated = header + body + word  # packet || E‖index; the MKI is not authenticated
    tag = hmac_sha1(keys.auth, authenticated)[:profile.rtcp_tag]
    return authenticated + mki + tag


def unprotect_rtcp(profile, keys, srtcp, mki=b""):
    if profile.aead:
        if len(srtcp) < 8 + 16 + 4 + len(mki) or srtcp[len(srtcp) - len(mki):] != mki:
            raise Rejected("MKI mismatch or truncated")
        body = srtcp[:len(srtcp) - len(mki)]
        word = body[-4:]
        encrypted = word[0] & 0x80 != 0
        index = int.from_bytes(word, "big") & 0x7FFFFFFF
        ssrc = int.from_bytes(body[4:8], "big")
        iv = gcm_rtcp_iv(keys.salt, ssrc, index)
        sealed = body[:-4]
        try:
            if encrypted:
                return sealed[:8] + AESGCM(keys.encryption).decrypt(iv, sealed[8:],
                                                                    sealed[:8] + word)
            AESGCM(keys.encryption).decrypt(iv, sealed[-16:], sealed[:-16] + word)
            return sealed[:-16]
        except Exception as error:
            raise Rejected("AEAD tag") from error
    trailer = len(mki) + profile.rtcp_tag
    if len(srtcp) < 8 + 4 + trailer:
        raise Rejected("truncated")
    authenticated = srtcp[:len(srtcp) - trailer]
    if srtcp[len(authenticated):len(authenticated) + len(mki)] != mki:
        raise Rejected("MKI mismatch")
    expected = hmac_sha1(keys.auth, authenticated)[:profile.rtcp_tag]
    if not stdlib_hmac.compare_digest(expected, srtcp[len(srtcp) - profile.rtcp_tag:]):
        raise Rejected("HMAC tag")
    word = authenticated[-4:]
    body = authenticated[8:-4]
    if profile.cipher == "aes_cm" and word[0] & 0x80:
        ssrc = int.from_bytes(srtcp[4:8], "big")
        index = int.from_bytes(word, "big") & 0x7FFFFFFF
        body = xor(body, aes_cm_keystream(keys.encryption, aes_cm_iv(keys.salt, ssrc, index),
                                          len(body)))
    return authenticated[:8] + body


# ----------------------------------------------------------------------------------------------
# Self-test against the published known answers in Vectors/


def self_test():
    """Runs every known answer in Vectors/*.json (other than our own output) that exercises code
    in this script. Returns {kind: count}; raises AssertionError on any mismatch."""
    counts = {}

    def passed(kind):
        counts[kind] = counts.get(kind, 0) + 1

    def h(value):
        return bytes.fromhex(value)

    for path in sorted(VECTORS_DIR.glob("*.json")):
        if path == OUTPUT:
            continue
        for v in json.loads(path.read_text())["vectors"]:
            kind, vid = v["kind"], v["id"]
            if kind == "aes_cm_keystream":
                for row in v["rows"]:
                    iv = (int.from_bytes(h(v["iv"]), "big") + row["block"]) % (1 << 128)
                    got = aes_cm_keystream(h(v["key"]), iv.to_bytes(16, "big"), 16)
                    assert got == h(row["keystream"]), f"{vid} block {row['block']}"
                passed(kind)
            elif kind == "srtp_kdf":
                for label, expected in v["outputs"].items():
                    got = kdf(h(v["master_key"]), h(v["master_salt"]), LABELS[label],
                              len(h(expected)), v["index"], v["kdr"])
                    assert got == h(expected), f"{vid} {label}"
                passed(kind)
            elif kind == "aead_iv":
                if "ssrc" in v:
                    got = gcm_rtp_iv(h(v["salt"]), int(v["ssrc"], 16), int(str(v["roc"]), 16),
                                     int(v["seq"], 16))
                else:
                    got = gcm_rtcp_iv(h(v["salt"]), int(v["rtcp_ssrc"], 16),
                                      int(v["srtcp_index"], 16))
                assert got == h(v["iv"]), vid
                passed(kind)
            elif kind in ("srtp_packet", "srtcp_packet") and "session_keys" in v:
                profile = next(p for p in PROFILES if p.name == v["profile"])
                sk = v["session_keys"]
                keys = SessionKeys(h(sk["rtp_encryption"]), h(sk["rtp_salt"]),
                                   h(sk.get("rtp_auth", "")))
                plaintext, protected = h(v["plaintext"]), h(v["protected"])
                encrypt = v.get("encrypt", True)
                if kind == "srtp_packet":
                    roc = v.get("roc", 0)
                    assert protect_rtp(profile, keys, plaintext, roc, encrypt) == protected, vid
                    assert unprotect_rtp(profile, keys, protected, roc, encrypt) == plaintext, vid
                else:
                    index = v["srtcp_index"]
                    assert protect_rtcp(profile, keys, plaintext, index, encrypt) == protected, vid
                    assert unprotect_rtcp(profile, keys, protected) == plaintext, vid
                passed(kind)
    # HMAC-SHA1 known answer (RFC 2202 test case 2), the last primitive the packets use.
    assert hmac_sha1(b"Jefe", b"what do ya want for nothing?").hex() == \
        "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79", "RFC 2202 HMAC-SHA1 case 2"
    passed("hmac_sha1 (RFC 2202)")
    expected = {"aes_cm_keystream", "srtp_kdf", "aead_iv", "srtp_packet", "srtcp_packet"}
    assert expected <= counts.keys(), f"known answers missing for {expected - counts.keys()}"
    return counts


# ----------------------------------------------------------------------------------------------
# The vectors


def fixed_bytes(tag, length):
    """Deterministic, distinct key material per profile: SHA-256 of a fixed label."""
    out = b""
    counter = 0
    while len(out) < length:
        out += hashlib.sha256(f"swift-perc {tag} {counter}".encode()).digest()
        counter += 1
    return out[:length]


def rtp(seq, ssrc, payload, marker=False, csrcs=(), extension=None, timestamp=0xDECAFBAD):
    """An RTP packet, PT 96. `extension` = (profile, data), data a multiple of 4 octets."""
    first = 0x80 | (0x10 if extension else 0) | len(csrcs)
    out = bytes([first, (0x80 if marker else 0) | 96]) + seq.to_bytes(2, "big")
    out += timestamp.to_bytes(4, "big") + ssrc.to_bytes(4, "big")
    for csrc in csrcs:
        out += csrc.to_bytes(4, "big")
    if extension:
        ext_profile, data = extension
        out += ext_profile.to_bytes(2, "big") + (len(data) // 4).to_bytes(2, "big") + data
    return out + payload


def rtcp_sender_report(ssrc, report_blocks=0):
    """An RTCP SR (RFC 3550 §6.4.1) with `report_blocks` reception report blocks."""
    words = 6 + 6 * report_blocks
    out = bytes([0x80 | report_blocks, 200]) + words.to_bytes(2, "big") + ssrc.to_bytes(4, "big")
    out += bytes.fromhex("e8f1c2a3b4d5e6f7") + (0x0001E240).to_bytes(4, "big")
    out += (1200).to_bytes(4, "big") + (192000).to_bytes(4, "big")
    for block in range(report_blocks):
        out += (0x11223344 + block).to_bytes(4, "big") + bytes.fromhex("05000010")
        out += bytes.fromhex("00001234000000200000abcd00000001")
    return out


def rtcp_sdes_cname(ssrc, cname):
    """An RTCP SDES packet with one CNAME item (RFC 3550 §6.5), padded to 32 bits."""
    chunk = ssrc.to_bytes(4, "big") + bytes([1, len(cname)]) + cname
    chunk += bytes(4 - len(chunk) % 4)  # item list ends with a null octet, then pad
    return bytes([0x81, 202]) + (len(chunk) // 4).to_bytes(2, "big") + chunk


def rtcp_empty_receiver_report(ssrc):
    """An RTCP RR with no report blocks: just the 8 octets SRTCP leaves in the clear."""
    return bytes([0x80, 201]) + (1).to_bytes(2, "big") + ssrc.to_bytes(4, "big")


PAYLOAD = b"swift-perc conformance test payload"  # 35 octets: not a block multiple
MKI = bytes.fromhex("a1b2c3d4")
WRONG_MKI = bytes.fromhex("a1b2c3d5")
SSRC = 0xCAFEBABE


def rtp_cases():
    """(case, packet, roc, encrypt, mki). ROC > 0 vectors keep SEQ below 2^15 so that a receiver
    whose ROC was set out of band guesses v = ROC (RFC 3711 Appendix A) without history."""
    return [
        ("plain", rtp(0x1234, SSRC, PAYLOAD), 0, True, b""),
        ("csrc-extension",
         rtp(0x2345, SSRC, PAYLOAD + b" with more", marker=True,
             csrcs=(0x11111111, 0x22222222),
             extension=(0xBEDE, bytes.fromhex("10aa21bbcc000000"))), 0, True, b""),
        ("roc", rtp(0x0102, SSRC, PAYLOAD), 0x00012345, True, b""),
        ("empty-payload", rtp(0x3456, SSRC, b""), 0, True, b""),
        ("auth-only", rtp(0x4567, SSRC, PAYLOAD), 0, False, b""),
        ("mki", rtp(0x5678, SSRC, PAYLOAD), 0, True, MKI),
    ]


def rtcp_cases():
    """(case, packet, srtcp_index, encrypt, mki). Index 1 is what libsrtp2 sends first."""
    compound = rtcp_sender_report(SSRC, report_blocks=1) + rtcp_sdes_cname(SSRC, b"perc@example")
    return [
        ("plain", rtcp_sender_report(SSRC), 1, True, b""),
        ("compound", compound, 1, True, b""),
        ("large-index", rtcp_sender_report(SSRC), 0x12345678, True, b""),
        ("empty-body", rtcp_empty_receiver_report(SSRC), 1, True, b""),
        ("auth-only", rtcp_sender_report(SSRC), 1, False, b""),
        ("mki", rtcp_sender_report(SSRC), 1, True, MKI),
    ]


def flip_last_bit(packet):
    return packet[:-1] + bytes([packet[-1] ^ 0x01])


def build_vectors():
    vectors = []
    for profile in PROFILES:
        master_key = fixed_bytes(f"{profile.name} master key", profile.key_length)
        master_salt = fixed_bytes(f"{profile.name} master salt", profile.salt_length)
        rtp_keys, rtcp_keys = derive_session_keys(profile, master_key, master_salt)
        slug = profile.name.lower()
        base = {"profile": profile.name, "master_key": master_key.hex(),
                "master_salt": master_salt.hex()}

        def emit(kind, case, fields, note=None):
            vector = {"id": f"swift-perc-{slug}-{kind.split('_')[0]}-{case}", "kind": kind}
            vector.update(base)
            vector.update(fields)
            if note:
                vector["note"] = note
            vectors.append(vector)

        for case, packet, roc, encrypt, mki in rtp_cases():
            protected = protect_rtp(profile, rtp_keys, packet, roc, encrypt, mki)
            assert unprotect_rtp(profile, rtp_keys, protected, roc, encrypt, mki) == packet
            fields = {"roc": roc, "encrypt": encrypt}
            if mki:
                fields["mki"] = mki.hex()
            fields.update(plaintext=packet.hex(), protected=protected.hex())
            emit("srtp_packet", case, fields)
            if case == "plain":
                tampered = flip_last_bit(protected)
                emit("srtp_packet", "reject-tampered-tag",
                     {"roc": roc, "encrypt": encrypt, "expect": "reject",
                      "protected": tampered.hex()},
                     "the plain vector with the last bit of its tag flipped")
                expect_rejected(lambda: unprotect_rtp(profile, rtp_keys, tampered, roc))
            if case == "mki":
                wrong = swap_mki(protected, mki, profile.aead, profile.rtp_tag)
                emit("srtp_packet", "reject-wrong-mki",
                     {"roc": roc, "encrypt": encrypt, "mki": mki.hex(), "expect": "reject",
                      "protected": wrong.hex()},
                     f"session MKI {mki.hex()}; the packet carries {WRONG_MKI.hex()}")
                expect_rejected(lambda: unprotect_rtp(profile, rtp_keys, wrong, roc, True, mki))
        for case, packet, index, encrypt, mki in rtcp_cases():
            protected = protect_rtcp(profile, rtcp_keys, packet, index, encrypt, mki)
            assert unprotect_rtcp(profile, rtcp_keys, protected, mki) == packet
            fields = {"srtcp_index": index, "encrypt": encrypt}
            if mki:
                fields["mki"] = mki.hex()
            fields.update(plaintext=packet.hex(), protected=protected.hex())
            emit("srtcp_packet", case, fields)
            if case == "plain":
                tampered = flip_last_bit(protected)
                note = "the plain vector with the last bit of its tag flipped"
                if profile.aead:
                    # The E‖index word trails the AEAD tag: flip the tag's last bit instead.
                    tampered = protected[:-5] + bytes([protected[-5] ^ 0x01]) + protected[-4:]
                emit("srtcp_packet", "reject-tampered-tag",
                     {"srtcp_index": index, "encrypt": encrypt, "expect": "reject",
                      "protected": tampered.hex()}, note)
                expect_rejected(lambda: unprotect_rtcp(profile, rtcp_keys, tampered))
                flipped = flip_e_bit(protected, profile)
                emit("srtcp_packet", "reject-e-bit-flipped",
                     {"srtcp_index": index, "encrypt": encrypt, "expect": "reject",
                      "protected": flipped.hex()},
                     "the plain vector with the E bit flipped: E is authenticated")
                expect_rejected(lambda: unprotect_rtcp(profile, rtcp_keys, flipped))
            if case == "mki":
                wrong = swap_mki(protected, mki, profile.aead, profile.rtcp_tag)
                emit("srtcp_packet", "reject-wrong-mki",
                     {"srtcp_index": index, "encrypt": encrypt, "mki": mki.hex(),
                      "expect": "reject", "protected": wrong.hex()},
                     f"session MKI {mki.hex()}; the packet carries {WRONG_MKI.hex()}")
                expect_rejected(lambda: unprotect_rtcp(profile, rtcp_keys, wrong, mki))
    return vectors


def swap_mki(protected, mki, aead, tag_length):
    """Replaces the MKI on the wire with WRONG_MKI: last for AEAD, before the tag otherwise."""
    if aead:
        assert protected.endswith(mki)
        return protected[:-len(mki)] + WRONG_MKI
    start = len(protected) - tag_length - len(mki)
    assert protected[start:start + len(mki)] == mki
    return protected[:start] + WRONG_MKI + protected[start + len(mki):]


def flip_e_bit(protected, profile):
    """Flips the E bit of the E‖index word: last word before the tag (HMAC) or last (AEAD)."""
    offset = len(protected) - 4 - (0 if profile.aead else profile.rtcp_tag)
    return protected[:offset] + bytes([protected[offset] ^ 0x80]) + protected[offset + 1:]


def expect_rejected(operation):
    try:
        operation()
    except Rejected:
        return
    raise AssertionError("a reject vector was accepted by our own unprotect")


def document():
    return {
        "source": (
            "swift-perc: Vectors/tools/generate_profile_vectors.py, our own Python "
            "implementation of the RFC 3711 KDF (RFC 6188 PRFs), AES-CM, HMAC-SHA1 and the "
            "RFC 7714 AES-GCM packet layouts on python-cryptography primitives, self-tested "
            "against RFC 3711 Appendix B, RFC 6188 Section 7 and RFC 7714 Sections 16-17 before "
            "generating; fixed keys (SHA-256 of a label per profile), master keys with KDR 0"
        ),
        "verified_with": (
            "libsrtp2 2.5.0 (Debian bookworm) through a throwaway C program (not committed): "
            "protect and unprotect reproduce every vector byte for byte and reject every reject "
            "vector, except where libsrtp2 2.5 itself deviates: AES_CM_192 (it derives AES-192 "
            "session keys with the AES-256 PRF, cisco/libsrtp#763, fixed upstream in #765; with "
            "that bug emulated here all 12 match), SRTCP with an MKI on the _32 profiles (its "
            "protect matches; its unprotect locates the MKI with the SRTP tag length, "
            "cisco/libsrtp#733), and AEAD SRTP authentication-only (it always encrypts AEAD "
            "SRTP). libsrtp2 sends SRTCP index 1 first; index 0x12345678 was checked by "
            "unprotect only"
        ),
        "layout_notes": (
            "HMAC profiles: SRTP = header || payload || MKI || tag, the MKI not authenticated "
            "(RFC 3711 s3.1); SRTCP = packet || E|index || MKI || tag (s3.4). AEAD: SRTP = header "
            "|| ciphertext || AEAD tag || MKI (RFC 7714 s7.1); SRTCP = first 8 octets || "
            "ciphertext || AEAD tag || E|index || MKI (s9). NULL profiles send SRTCP with E = 0 (no "
            "encryption applies), as libsrtp2 does. Reject vectors give only the packet to unprotect."
        ),
        "hex": "lowercase, no spaces",
        "vectors": build_vectors(),
    }


def render():
    return json.dumps(document(), indent=2) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--self-test", action="store_true", help="run the self-test only")
    group.add_argument("--check", action="store_true",
                       help="fail if the committed file differs from what would be generated")
    args = parser.parse_args()
    counts = self_test()
    print("self-test passed: " + ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items())))
    if args.self_test:
        return 0
    text = render()
    count = len(json.loads(text)["vectors"])
    if args.check:
        if not OUTPUT.exists() or OUTPUT.read_text() != text:
            print(f"{OUTPUT.name} is out of date; rerun {pathlib.Path(__file__).name}")
            return 1
        print(f"{OUTPUT.name} is up to date ({count} vectors)")
        return 0
    OUTPUT.write_text(text)
    print(f"wrote {count} vectors to {OUTPUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
