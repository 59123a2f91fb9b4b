"""Backup and restore (SPEC §12): one archive with the database, the uploads and the key files.

An archive is a plain tar (the database dump is compressed already, uploads mostly are):

    database/yancheng.sqlite3 | database/yancheng.pgdump   a consistent snapshot
    attachments/<xx>/<uuid>                               every file under YANCHENG_ATTACHMENT_ROOT
    keys/<n>                                              DATA_DIR/keys/* and *_KEY_FILE / *_KEYS_FILE
    manifest.json                                         what is in it, with a SHA-256 per member
    manifest.sha256                                       the manifest's own SHA-256

The manifest also holds, for the database snapshot, each table's row count and row checksum
(`table_checksums`), the applied migrations and the audit chain's head. The checksums are
computed through the ORM with values normalised to text and combined without regard to row
order (a sum of row digests), so they do not depend on the database's collation or storage
order. SQLite is copied with its online backup API and the checksums are taken from the copy;
PostgreSQL is dumped by ``pg_dump -Fc --snapshot`` from a REPEATABLE READ transaction that
computes the checksums over the same snapshot. Either way the application may keep writing.

A restore refuses a damaged archive before it touches anything, goes into an empty database
and an empty uploads folder (``replace`` moves what is there aside first), puts the keys in
their configured places without silently replacing different keys, then checks the restored
database: every table's row count and checksum, the audit chain (`verify_chain`), the chain's
head and every attachment's bytes against its recorded SHA-256.

Modules: `create` (``backup_create``) and `restore` (``restore_archive``, ``verify_restored``)
are the two operations; `manifest` the archive's layout and its checked reading; `checksums`
what the manifest says about a database; `sqlite` and `postgresql` the snapshot and the load
for each database; `keys` and `files` what else goes in; `trail` the records in the audit
trail and the anchors; `errors` what the operator is told.
"""
