//! Japanese-aware anonymisation: recognisers, NDA policies, generalisation, leak gate, lesson drafting
