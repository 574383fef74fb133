//! The hub service: verify, persist, acknowledge, fan out, relay (group and cross tiers)
