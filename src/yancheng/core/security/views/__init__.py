"""Pages of account security: `login` (and logout), `second_factor` (TOTP), `password`
(one's own) and `accounts` (account administration)."""
