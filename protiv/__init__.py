"""protiv: crew bonuses (ProPays) carried from the synced job to the worker's payout."""

__version__ = "0.1.0"
