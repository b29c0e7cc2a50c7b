#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets into Tests/Fuzz/Corpus/<target>/ from the vector
files in Vectors/ (the committed seeds are this script's output; rerun it after changing a
vector file or a selector layout, then commit the result).

Seeds use the layouts the targets document in their source files:
- SRTP targets: selector octet (Sources/FuzzSupport/SessionSelector.swift) || packet.
- FuzzEKTField: selector || packet SSRC (4) || packet tail ending in the EKT tag.
- FuzzDTLSEKT: selector || message body.
The fuzz sessions are keyed with the vectors' keys (Sources/FuzzSupport/VectorKeys.swift), so
the protected vector packets authenticate.

Needs python3 and, for the EKT seeds, python-cryptography (AES key wrap with padding).
Usage: python3 Tests/Fuzz/make_seeds.py
"""

import base64
import hashlib
import json
import shutil
from pathlib import Path

from cryptography.hazmat.primitives.keywrap import aes_key_wrap_with_padding

FUZZ = Path(__file__).resolve().parent
VECTORS = FUZZ.parent.parent / "Vectors"
CORPUS = FUZZ / "Corpus"

# SRTPProfile.allCases, in declaration order (Sources/PERC/SRTP/SRTPProfile.swift).
PROFILES = [
    "AES_CM_128_HMAC_SHA1_80", "AES_CM_128_HMAC_SHA1_32", "AES_CM_192_HMAC_SHA1_80",
    "AES_CM_256_HMAC_SHA1_80", "AES_CM_256_HMAC_SHA1_32", "NULL_HMAC_SHA1_80",
    "NULL_HMAC_SHA1_32", "AEAD_AES_128_GCM", "AEAD_AES_256_GCM",
]
AUTH_ONLY, MKI = 0x10, 0x20
LIBSRTP2 = 0xC0  # FuzzSRTPUnprotect / FuzzSRTCPUnprotect: target bits 3
RTCP, CROSS_CHECK = 0x40, 0x80  # FuzzSRTPRoundTrip
VECTOR_MKI = "a1b2c3d4"  # SessionSelector.vectorMKI
# FuzzEKTField's second EKT key (AESKW_256, SPI 0x0102).
EKT_KEY_256, EKT_SPI_256 = bytes(range(32)), 0x0102


def vectors(name=None):
    files = [VECTORS / name] if name else sorted(VECTORS.glob("*.json"))
    for path in files:
        yield from json.loads(path.read_text())["vectors"]


def selector(vector):
    assert vector.get("mki", VECTOR_MKI) == VECTOR_MKI, vector["id"]
    return (PROFILES.index(vector["profile"]) | (0 if vector["encrypt"] else AUTH_ONLY)
            | (MKI if "mki" in vector else 0))


class Corpus:
    def __init__(self, target):
        self.directory = CORPUS / target
        shutil.rmtree(self.directory, ignore_errors=True)
        self.directory.mkdir(parents=True)

    def add(self, data: bytes):
        # Content-addressed like libFuzzer's own corpus files, so duplicates collapse.
        (self.directory / hashlib.sha1(data).hexdigest()).write_bytes(data)


def srtp_seeds():
    headers = Corpus("FuzzRTPHeader")
    for vector in vectors():
        for field in ("plaintext", "protected"):
            if vector["kind"] in ("srtp_packet", "srtcp_packet") and field in vector:
                headers.add(bytes.fromhex(vector[field]))

    profiles = list(vectors("swift_perc_profiles.json"))
    for kind, target in (("srtp_packet", "FuzzSRTPUnprotect"),
                         ("srtcp_packet", "FuzzSRTCPUnprotect")):
        corpus = Corpus(target)
        for vector in (v for v in profiles if v["kind"] == kind):
            for engine in (0, LIBSRTP2):
                corpus.add(bytes([selector(vector) | engine]) + bytes.fromhex(vector["protected"]))

    round_trip = Corpus("FuzzSRTPRoundTrip")
    for vector in profiles:
        if "plaintext" not in vector:
            continue
        rtcp = RTCP if vector["kind"] == "srtcp_packet" else 0
        for cross_check in (0, CROSS_CHECK):
            round_trip.add(bytes([selector(vector) | rtcp | cross_check])
                           + bytes.fromhex(vector["plaintext"]))


def ekt_seeds():
    corpus = Corpus("FuzzEKTField")
    corpus.add(b"\x00" + bytes.fromhex("cafebabe") + b"\x00")  # ShortEKTField
    ekt_vectors = [v for v in vectors() if v["kind"] == "ekt_field"]
    keys = [(bytes.fromhex(v["ekt_key"]), v["spi"]) for v in ekt_vectors]
    keys.append((EKT_KEY_256, EKT_SPI_256))
    for vector in ekt_vectors:
        corpus.add(b"\x00" + vector["ssrc"].to_bytes(4, "big") + bytes.fromhex(vector["field"]))
    # RFC 8870 §4.1: EKTPlaintext = keylen || key || SSRC || ROC, wrapped (RFC 5649), then
    # SPI || epoch || EKTMsgLength || type 2. Selector mod 3 picks the key length 16/24/32.
    ssrc, roc, epoch = 0xCAFEBABE, 0x00012345, 7
    for choice, key_length in enumerate((16, 24, 32)):
        master_key = bytes(range(0x40, 0x40 + key_length))
        plain = (bytes([key_length]) + master_key + ssrc.to_bytes(4, "big")
                 + roc.to_bytes(4, "big"))
        for ekt_key, spi in keys:
            wrapped = aes_key_wrap_with_padding(ekt_key, plain)
            field = (wrapped + spi.to_bytes(2, "big") + epoch.to_bytes(2, "big")
                     + (len(wrapped) + 7).to_bytes(2, "big") + b"\x02")
            # An SRTP packet's last octets (an HMAC tag) before the tag.
            corpus.add(bytes([choice]) + ssrc.to_bytes(4, "big") + bytes(10) + field)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def header_seeds():
    corpus = Corpus("FuzzEncryptionKeyHeader")
    key128 = next(bytes.fromhex(v["ekt_key"]) for v in vectors() if v["kind"] == "ekt_field")
    salt = bytes(range(0x80, 0x8C))
    for value in (
        f'keyid="conf-42"; key="{b64url(key128)}"; usage="EKT"; spi=1; '
        f'salt="{b64url(salt)}"; cipher="AESKW_128"; ttl=3600',
        f'keyid=a; key={b64url(EKT_KEY_256)}; usage=EKT; spi=65535; salt={b64url(salt)}',
        f'KEYID="q\\"uo\\\\te";KEY="{b64url(key128)}==";Usage="EKT";SPI=0;'
        f'Salt="{b64url(bytes(256))}";TTL=16777215',
        f'keyid="x"; key="{b64url(key128)}"; usage="EKT"; spi=1; salt="{b64url(salt)}", '
        f'keyid="y"; key="{b64url(key128)}"; usage="EKT"; spi=2; salt="{b64url(salt)}"',
    ):
        corpus.add(value.encode())


def dtls_seeds():
    corpus = Corpus("FuzzDTLSEKT")
    salt = bytes(range(0x80, 0x8C))
    ttl = (3600).to_bytes(3, "big")
    for choice, key in ((0, bytes(range(16))), (1, EKT_KEY_256)):
        message = (len(key).to_bytes(2, "big") + key + len(salt).to_bytes(2, "big") + salt
                   + (1).to_bytes(2, "big") + ttl)
        corpus.add(bytes([choice]) + message)
    for offer in (b"\x01\x01", b"\x02\x01\x02", b"\x04\x00\x02\x01\x03"):
        corpus.add(b"\x02" + offer)
    for offered, selection in ((0x04, 1), (0x08, 2), (0x0C, 2)):
        corpus.add(bytes([0x03 | offered, selection]))


def stream_seeds():
    # FuzzSRTPStream operations: (op, a, b); op % 4 = 0 send and hold, 1 send and deliver,
    # 2 deliver a duplicate of held[a], 3 deliver and forget held[a]; send steps (op >> 2) - 8,
    # or the jump ab when op >> 2 = 63.
    def send(step, deliver=True):
        return bytes([(step + 8) << 2 | (1 if deliver else 0), 0, 0])

    def jump(ab, deliver=True):
        return bytes([63 << 2 | (1 if deliver else 0), ab >> 8, ab & 0xFF])

    in_order = send(1) * 80
    wrap = jump(0xFFF0) + send(1) * 40  # SEQ 0xFFF0... across the rollover
    reordered = send(1, deliver=False) * 24 + bytes([3, 23, 0]) * 24  # held, delivered newest first
    duplicates = send(1) * 4 + bytes([2, 1, 0, 2, 3, 0])
    late_join = jump(0x8000) + send(-3) + send(5) + jump(0x8000) + send(2)  # around 2^15 apart
    corpus = Corpus("FuzzSRTPStream")
    for window in range(4):  # 64, 100, 1024, 32768
        for profile in (0, 7):  # an HMAC and a GCM profile
            selector = bytes([window << 4 | profile])
            for operations in (in_order, wrap, reordered, duplicates, late_join):
                corpus.add(selector + operations)


def double_seeds():
    # spec_worked_example.json: FuzzDoubleReceive takes the sender's protected double packet (its
    # keys are the vector's); FuzzRelay takes selector (rewrite bits, 0x07 = the vector's
    # PT+SEQ+M) || the relay input; FuzzOHB takes bytes ending in an OHB.
    example = {vector["kind"]: vector for vector in vectors("spec_worked_example.json")}
    packet = bytes.fromhex(example["double_srtp_packet"]["protected"])
    receive = Corpus("FuzzDoubleReceive")
    receive.add(packet)
    receive.add(packet[:-1])
    relay = Corpus("FuzzRelay")
    relay_input = bytes.fromhex(example["double_relay"]["input"])
    for rewrite in (0x00, 0x01, 0x02, 0x07, 0x0F):
        relay.add(bytes([rewrite]) + relay_input)
    ohb = Corpus("FuzzOHB")
    for block in ("00", "601234" + "0f", "0b", "1234" + "01", "60" + "02", "0c", "08", "f0"):
        ohb.add(b"\xaa" * 16 + bytes.fromhex(block))


if __name__ == "__main__":
    srtp_seeds()
    double_seeds()
    stream_seeds()
    ekt_seeds()
    header_seeds()
    dtls_seeds()
    for directory in sorted(CORPUS.iterdir()):
        files = list(directory.iterdir())
        print(f"{directory.name}: {len(files)} seeds, {sum(f.stat().st_size for f in files)} octets")
