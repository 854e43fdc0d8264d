"""``torch.cuda`` for scripts that ask: the shim has no GPU."""


def is_available() -> bool:
    """Always False: the shim computes on the CPU with NumPy."""
    return False


def device_count() -> int:
    """Always 0."""
    return 0


def manual_seed(seed: int) -> None:
    """Accepted and ignored (no GPU generator)."""


manual_seed_all = manual_seed
