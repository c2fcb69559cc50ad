"""Carbon-inclusive accounts (碳普惠): partners report people's low-carbon behaviour in batches;
the platform computes each event's grams of CO2e under the versioned scenarios of
``qingshan.science.inclusive``, posts one line per person per day to the people's sub-ledger,
settles each day on the journal and the ledger, and lets people redeem or donate points
(docs/inclusive.md)."""
