#!/usr/bin/env python3
"""Known-answer vectors for smx link's clkhash-compatible encoder (tests/unit/test_link_bloom.cpp).

clkhash itself is not installable here (PyPI unreachable), so this script restates its documented
algorithm (data61/clkhash docs/schema.rst @c544035; clkhash/bloomfilter.py, comparators.py,
key_derivation.py as read with the search tool) with the libraries clkhash calls: the
`cryptography` package's HKDF, and Python's hmac/hashlib (HMAC-SHA1, HMAC-MD5, BLAKE2b). It is a
second, independent implementation (Python big integers, struct, str slicing) to compare the C++
one against; it is not clkhash. Run: python3 tests/tools/clkhash_reference.py
"""
import base64
import hashlib
import hmac
import struct

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


def keys(secret, features, salt, info, key_size=64):
    # generate_key_lists: one HKDF output of 2 * features * key_size bytes, feature i takes
    # keys 2i and 2i+1.
    material = HKDF(algorithm=hashes.SHA256(), length=2 * features * key_size, salt=salt, info=info).derive(secret)
    chunks = [material[i * key_size:(i + 1) * key_size] for i in range(2 * features)]
    return [(chunks[2 * i], chunks[2 * i + 1]) for i in range(features)]


def ngrams(word, n, positional):
    if not word:
        return []
    if n > 1:
        word = ' ' * (n - 1) + word + ' ' * (n - 1)
    grams = [word[i:i + n] for i in range(len(word) - n + 1)]
    return ['%d %s' % (i + 1, g) for i, g in enumerate(grams)] if positional else grams


def bits_per_feature(total, count):
    k, residue = divmod(total, count)
    return [k + 1] * residue + [k] * (count - residue)


def double_hash(bits, tokens, ks, l, key_sha1, key_md5):
    for m, k in zip(tokens, ks):
        mb = m.encode('utf-8')
        h1 = int(hmac.new(key_sha1, mb, hashlib.sha1).hexdigest(), 16) % l
        h2 = int(hmac.new(key_md5, mb, hashlib.md5).hexdigest(), 16) % l
        for i in range(k):
            bits[(h1 + i * h2) % l] = 1


def blake(bits, tokens, ks, l, key):
    for m, k in zip(tokens, ks):
        shorts = []
        for i in range((k + 31) // 32):
            shorts.extend(struct.unpack('<32H', hashlib.blake2b(m.encode('utf-8'), key=key, salt=str(i).encode()).digest()))
        for i in range(k):
            bits[shorts[i] % l] = 1


def fold(bits, folds):
    for _ in range(folds):
        half = len(bits) // 2
        bits = [a ^ b for a, b in zip(bits[:half], bits[half:])]
    return bits


def to_base64(bits):
    out = bytearray((len(bits) + 7) // 8)
    for i, b in enumerate(bits):
        if b:
            out[i // 8] |= 0x80 >> (i % 8)
    return base64.b64encode(bytes(out)).decode()


def clk(features, values, secret, salt, info, l, folds, hash_kind):
    ks_keys = keys(secret, len(features), salt, info)
    bits = [0] * (l << folds)
    for (kind, n, positional, total), value, key in zip(features, values, ks_keys):
        if kind == 'ignored':
            continue
        tokens = [value] if kind == 'exact' else ngrams(value, n, positional)
        if not tokens:
            continue
        ks = bits_per_feature(total, len(tokens))
        if hash_kind == 'doubleHash':
            double_hash(bits, tokens, ks, l << folds, key[0], key[1])
        else:
            blake(bits, tokens, ks, l << folds, key[0])
    return to_base64(fold(bits, folds))


if __name__ == '__main__':
    # The schema of clkhash's docs/schema.rst example (INDEX ignored; NAME bigrams 100 bits;
    # DOB positional unigrams 200 bits; GENDER unigrams 400 bits), its HKDF salt, and
    # info "schema_example".
    salt = base64.b64decode('SCbL2zHNnmsckfzchsNkZY9XoHk96P/G5nUBrM7ybymlEFsMV6PAeDZCNp3rfNUPCtLDMOGQHG4pCQpfhiHCyA==')
    info = base64.b64decode('c2NoZW1hX2V4YW1wbGU=')
    features = [('ignored', 0, False, 0), ('ngram', 2, False, 100), ('ngram', 1, True, 200), ('ngram', 1, False, 400)]
    values = ['0', 'Jane Austen', '17751216', 'F']
    for hash_kind, folds in (('doubleHash', 0), ('blakeHash', 0), ('blakeHash', 1)):
        print(hash_kind, folds, clk(features, values, b'secret', salt, info, 1024, folds, hash_kind))
    kana = [('ngram', 2, False, 200)]
    print('kana blake', clk(kana, ['サトウハナコ'], b'secret', salt, info, 1024, 0, 'blakeHash'))
