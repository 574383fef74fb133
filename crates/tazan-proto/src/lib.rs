//! Generated gRPC code for proto/tazan/v1 and wire <-> model conversions
