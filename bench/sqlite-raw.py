"""The storage limit beside the intake figure: one SQLite connection with
linli's pragmas (WAL, synchronous=FULL) inserting one row per committed
transaction into a table shaped like `cases`, for SECONDS, in DIR.
usage: sqlite-raw.py DIR SECONDS   → prints "N rows/s"."""
import os, sqlite3, sys, time

d, secs = sys.argv[1], float(sys.argv[2])
path = os.path.join(d, "raw.db")
db = sqlite3.connect(path, isolation_level=None)
db.executescript("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
                 "CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, number TEXT, scope TEXT, description TEXT, created_at INTEGER);")
n, t0 = 0, time.time()
while time.time() - t0 < secs:
    db.execute("BEGIN IMMEDIATE")
    db.execute("INSERT INTO t (number, scope, description, created_at) VALUES (?, ?, ?, ?)",
               (f"2026120{n:07d}", "220103008003001", "压测:楼前道路有油污", int(time.time() * 1000)))
    db.execute("COMMIT")
    n += 1
print(f"{n / (time.time() - t0):.0f} rows/s")
