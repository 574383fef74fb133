//! Full-text search over Japanese lessons, similar-lesson lookup and trends
