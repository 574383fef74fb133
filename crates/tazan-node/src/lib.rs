//! The org node service: sign, outbox, subscribe, library
