#!/usr/bin/env python3
"""Ralph's xAPI LRS with its file-system backend, in one process, for the end-to-end tests.

Run with the Python of Ralph's virtual environment, from the folder that holds the statements
(fs_lrs.jsonl) and with RALPH_APP_DIR set to the folder `ralph auth -w` wrote auth.json to:

    RALPH_APP_DIR=$PWD RALPH_RUNSERVER_BACKEND=fs python ralph-lrs.py PORT

Why not `ralph runserver`: it runs uvicorn with its reloader, so the server is a child process
that a test killing the LRS would leave running; and Ralph 5.1's file-system LRS backend writes
with the data backend's default operation, CREATE, which refuses every write once its file
exists (only the first POST is stored: "fs_lrs.jsonl already exists and overwrite is not
allowed"). Here statements are appended, as an LRS stores them.
"""
import os
import signal
import sys

import uvicorn
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend

FSLRSBackend.default_operation_type = BaseOperationType.APPEND
# A parent may have blocked these (the test runner does); stopping must still stop.
signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
os.environ.setdefault("RALPH_RUNSERVER_BACKEND", "fs")

from ralph.api import app  # noqa: E402  (after the backend is chosen)

uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="info")
