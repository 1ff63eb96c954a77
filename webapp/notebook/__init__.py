"""The private notebook: opaque records the survivor's browser encrypted, chained and receipted.

The server never sees a passphrase, a key or a word she wrote: it keeps a lookup id, an
Argon2id hash of an access secret, and AES-GCM ciphertexts with their versions, hash chain and
signed receipt times.
"""
