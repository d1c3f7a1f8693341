"""How passwords are stored."""

from django.contrib.auth.hashers import Argon2PasswordHasher


class OwaspArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id at the OWASP Password Storage Cheat Sheet's recommended minimum: 19 MiB of
    memory, 2 iterations, 1 lane.

    Django's default (100 MiB, 8 lanes) took about 380 ms of both cores of a 2-core machine per
    check, so fifty people signing in at once waited 6-8 s; this takes about 25 ms of one core.
    The algorithm name stays "argon2", so hashes stored with Django's parameters are read by
    this hasher, and Django's must_update (the parameters differ) stores the password again
    with these at the person's next sign-in; PBKDF2 hashes are upgraded the same way.
    """

    memory_cost = 19 * 1024  # KiB
    time_cost = 2
    parallelism = 1
