//! Incidents, lessons, disclosure levels, taxonomy, validation and canonical bytes
