"""Records -> standardised, tokenised Smiles2Actions data (the paper's Methods, on open ORD data)."""
