//! sled trees: node outbox and library, hub log with sequence numbers, cursors
