"""Duplicate detection for the dedup stage: what an article is reduced to before the index decides.

- urls.py: the canonical URL (variants of one address -> one key)
- shingles.py: tokens and the word-bigram shingles near-duplicates are measured on
- minhash.py: MinHash signature and LSH band keys
- comparable.py: whether a text is an article that can be compared at all (consent, paywall, too short)
- fingerprint.py: Article -> Fingerprint (worker/state/base.py)
- similarity.py: how a candidate is verified; the rule every backend follows
- CONTRACT.md: changes to the contract between the stage and the backends
"""
