# PyInstaller runtime hook: runs before the app imports numba.
# A frozen app's sources sit in a read-only, per-version folder, so numba's default cache beside
# them either fails or is lost on upgrade; a per-user cache folder keeps later starts fast.
import os

if "NUMBA_CACHE_DIR" not in os.environ:
    import platformdirs

    os.environ["NUMBA_CACHE_DIR"] = os.path.join(platformdirs.user_cache_dir("nn-playground"), "numba")
