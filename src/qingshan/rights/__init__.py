"""Resource rights between districts: indicators traded under contracts, and restoration that
earns development rights (docs/rights.md)."""
