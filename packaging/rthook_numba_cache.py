# PyInstaller runtime hook: runs before the app imports numba.
# A frozen app's sources sit in a per-version folder the user may not be able to write, so numba's
# default cache beside them either fails or is lost on upgrade; a per-user cache folder keeps later
# starts fast. numba refuses to import a cache=True kernel when no cache folder is writable, so a
# user cache that cannot be made (a read-only home) falls back to one in the temporary folder.
import os

if "NUMBA_CACHE_DIR" not in os.environ:
    import tempfile

    import platformdirs

    uid = getattr(os, "getuid", lambda: 0)()
    for folder in (os.path.join(platformdirs.user_cache_dir("nn-playground"), "numba"),
                   os.path.join(tempfile.gettempdir(), f"nn-playground-numba-{uid}")):
        try:
            os.makedirs(folder, exist_ok=True)
        except OSError:
            continue
        if os.access(folder, os.W_OK):
            break
    os.environ["NUMBA_CACHE_DIR"] = folder
