//! ed25519 keys, domain-separated signatures, signed rosters, PKI and rustls configuration
