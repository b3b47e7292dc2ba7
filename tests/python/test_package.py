"""Tests of the `ducksite` Python package that plugins import without
installing it: the plugin contract (ducksite.virtual_parquet), the project
configuration plugins see (ducksite.config), and the plugin host process
(ducksite._host) spoken to the way Ducksite speaks to it.

Run: python3 -m unittest discover -s tests/python
"""
import dataclasses
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import textwrap
import unittest

PACKAGE_DIR = pathlib.Path(__file__).resolve().parents[2] / "python"
if str(PACKAGE_DIR) not in sys.path:
    sys.path.insert(0, str(PACKAGE_DIR))

from ducksite.config import FileSourceConfig, ProjectConfig  # noqa: E402
from ducksite.virtual_parquet import VirtualParquetFile, VirtualParquetManifest  # noqa: E402

# Every key of a [[file_sources]] table.
FILE_SOURCE_KEYS = ["name", "template_name", "pattern", "upstream_glob", "plugin", "union_mode",
                    "row_filter", "row_filter_template", "on_empty", "time_window",
                    "on_bad_file", "plugin_timeout"]

# How Ducksite starts the host (src/plugin/plugin.c).
BOOT = ("import sys; sys.path[0:1] = [sys.argv[1]]; "
        "from ducksite._host import main; main()")


def project_doc(root, sources=None, dirs=None):
    """The "project" part of the document Ducksite sends, as the C side
    builds it."""
    root = str(root)
    return {
        "root": root,
        "dirs": dirs or {},
        "file_sources": sources or [],
        "content_dir": os.path.join(root, "content"),
        "sources_sql_dir": os.path.join(root, "sources_sql"),
        "site_root": os.path.join(root, "static"),
    }


def source_doc(name, **kw):
    doc = {"name": name, "template_name": None, "pattern": "data/*.parquet",
           "upstream_glob": None, "plugin": None, "union_mode": "union_all_by_name",
           "row_filter": None, "row_filter_template": None, "on_empty": "warn",
           "time_window": None, "on_bad_file": "error", "plugin_timeout": 300.0}
    doc.update(kw)
    return doc


class ContractTest(unittest.TestCase):
    def test_virtual_parquet_file(self):
        self.assertTrue(dataclasses.is_dataclass(VirtualParquetFile))
        names = [f.name for f in dataclasses.fields(VirtualParquetFile)]
        self.assertEqual(names, ["http_path", "physical_path", "row_filter"])
        f = VirtualParquetFile("data/sales/2024-01.parquet", "/tmp/x.parquet")
        self.assertEqual(f.http_path, "data/sales/2024-01.parquet")
        self.assertEqual(f.physical_path, "/tmp/x.parquet")
        self.assertIsNone(f.row_filter)
        g = VirtualParquetFile(http_path="a", physical_path="b", row_filter="x > 1")
        self.assertEqual(g.row_filter, "x > 1")
        self.assertEqual(VirtualParquetFile("a", "b", "x > 1"), g)

    def test_virtual_parquet_manifest(self):
        self.assertTrue(dataclasses.is_dataclass(VirtualParquetManifest))
        names = [f.name for f in dataclasses.fields(VirtualParquetManifest)]
        self.assertEqual(names, ["files", "template_name", "row_filter_template"])
        f = VirtualParquetFile("a.parquet", "a")
        m = VirtualParquetManifest([f])
        self.assertEqual(m.files, [f])
        self.assertIsNone(m.template_name)
        self.assertIsNone(m.row_filter_template)
        m = VirtualParquetManifest(files=[f], template_name="sales_[region]",
                                   row_filter_template="region = ?")
        self.assertEqual(m.template_name, "sales_[region]")
        self.assertEqual(m.row_filter_template, "region = ?")

    def test_manifests_do_not_share_file_lists(self):
        a = VirtualParquetManifest([])
        b = VirtualParquetManifest([])
        a.files.append(VirtualParquetFile("x", "y"))
        self.assertEqual(b.files, [])


class ConfigTest(unittest.TestCase):
    def test_file_source_config_has_every_key(self):
        names = [f.name for f in dataclasses.fields(FileSourceConfig)]
        for key in FILE_SOURCE_KEYS:
            self.assertIn(key, names)
        fs = FileSourceConfig()
        self.assertEqual(fs.pattern, "data/*.parquet")
        self.assertEqual(fs.union_mode, "union_all_by_name")
        self.assertEqual(fs.on_empty, "warn")
        self.assertEqual(fs.on_bad_file, "error")
        self.assertEqual(fs.plugin_timeout, 300.0)
        for key in ["name", "template_name", "upstream_glob", "plugin", "row_filter",
                    "row_filter_template", "time_window"]:
            self.assertIsNone(getattr(fs, key), key)

    def test_file_source_from_dict(self):
        doc = source_doc("orders", template_name="o_[region]", upstream_glob="lake/*.parquet",
                         union_mode="union_all", row_filter="amount > 0",
                         row_filter_template="region = ?", on_empty="error", on_bad_file="skip",
                         time_window={"column": "day", "start": "DATE '2024-01-01'",
                                      "end": None}, plugin_timeout=12.5)
        fs = FileSourceConfig.from_dict(doc)
        for key in FILE_SOURCE_KEYS:
            self.assertEqual(getattr(fs, key), doc[key], key)

    def test_file_source_from_dict_ignores_unknown_keys(self):
        fs = FileSourceConfig.from_dict({"name": "x", "some_future_key": 1})
        self.assertEqual(fs.name, "x")

    def test_project_config_from_dict(self):
        root = "/srv/project"
        doc = project_doc(root, [source_doc("orders", upstream_glob="lake/*.parquet"),
                                 source_doc("sales", plugin="plugins/s.py")],
                          {"DIR_LAKE": "/srv/lake"})
        cfg = ProjectConfig.from_dict(doc)
        self.assertIsInstance(cfg.root, pathlib.Path)
        self.assertEqual(cfg.root, pathlib.Path(root))
        self.assertEqual(cfg.dirs, {"DIR_LAKE": "/srv/lake"})
        self.assertEqual([fs.name for fs in cfg.file_sources], ["orders", "sales"])
        self.assertTrue(all(isinstance(fs, FileSourceConfig) for fs in cfg.file_sources))
        self.assertEqual(cfg.content_dir, pathlib.Path(root) / "content")
        self.assertEqual(cfg.sources_sql_dir, pathlib.Path(root) / "sources_sql")
        self.assertEqual(cfg.site_root, pathlib.Path(root) / "static")
        for p in (cfg.content_dir, cfg.sources_sql_dir, cfg.site_root):
            self.assertIsInstance(p, pathlib.Path)
        self.assertEqual(cfg.file_source("sales").plugin, "plugins/s.py")
        with self.assertRaises(KeyError):
            cfg.file_source("nope")

    def test_project_config_minimal(self):
        cfg = ProjectConfig.from_dict({"root": "/p"})
        self.assertEqual(cfg.root, pathlib.Path("/p"))
        self.assertEqual(cfg.dirs, {})
        self.assertEqual(cfg.file_sources, [])
        self.assertEqual(cfg.content_dir, pathlib.Path("/p/content"))
        cfg = ProjectConfig(root=pathlib.Path("/q"))
        self.assertEqual(cfg.file_sources, [])


def unescape(field):
    out, i = [], 0
    while i < len(field):
        c = field[i]
        if c == "\\" and i + 1 < len(field):
            i += 1
            c = {"t": "\t", "n": "\n", "r": "\r"}.get(field[i], field[i])
        out.append(c)
        i += 1
    return "".join(out)


class Host:
    """The plugin host as Ducksite runs it: one process, JSON lines."""

    def __init__(self, root, python=sys.executable):
        self.root = str(root)
        self.proc = subprocess.Popen([python, "-u", "-c", BOOT, str(PACKAGE_DIR)], cwd=self.root,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        self.hello = json.loads(self.proc.stdout.readline())

    def run(self, ref, source="s", sources=None, filter_expr=None):
        target, _, callable_ = ref.rpartition(":") if ":" in ref else (ref, "", "")
        is_file = "/" in target or "\\" in target or target.endswith(".py")
        request = {
            "kind": "file" if is_file else "module",
            "target": target,
            "path": os.path.abspath(os.path.join(self.root, target)),
            "callable": callable_ or "build_manifest",
            "ref": ref,
            "root": self.root,
            "project": project_doc(self.root, sources or [source_doc(source, plugin=ref)]),
            "source": source,
            "filter_expr": filter_expr,
        }
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        return self.read_answer()

    def read_answer(self):
        """The answer as {"ok", "error"} or {"ok", "manifest": {"files": [...],
        "template_name", "row_filter_template"}}; None if the host died.
        Protocol: a JSON header line, then (when ok) one line per file,
        "http_path TAB physical_path TAB row_filter" with \\, \\t, \\n, \\r
        escaped."""
        line = self.proc.stdout.readline()
        if not line:
            return None
        header = json.loads(line)
        if not header.get("ok"):
            return header
        files = []
        for _ in range(header["files"]):
            raw = self.proc.stdout.readline()
            if not raw:
                return None
            http, phys, rf = [unescape(f) for f in raw.rstrip("\n").split("\t")]
            files.append({"http_path": http, "physical_path": phys, "row_filter": rf or None})
        return {"ok": True, "manifest": {
            "files": files,
            "template_name": header.get("template_name"),
            "row_filter_template": header.get("row_filter_template")}}

    def close(self):
        try:
            self.proc.stdin.close()
        except BrokenPipeError:
            pass
        self.proc.stdout.close()
        err = self.proc.stderr.read()
        self.proc.stderr.close()
        self.proc.wait(timeout=30)
        return err


class HostProcessTest(unittest.TestCase):
    def setUp(self):
        self.tmp = pathlib.Path(tempfile.mkdtemp(prefix="ds-py-"))
        self.root = self.tmp / "project"
        self.root.mkdir()
        self.host = None

    def tearDown(self):
        if self.host:
            self.host.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def write(self, rel, text, base=None):
        path = (base or self.root) / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
        return path

    def start(self):
        self.host = Host(self.root)
        self.assertEqual(self.host.hello.get("hello"), "ducksite-plugin-host")
        return self.host

    def ok(self, answer):
        self.assertIsNotNone(answer, "the host died")
        self.assertTrue(answer.get("ok"), answer.get("error"))
        return answer["manifest"]

    def error(self, answer):
        self.assertIsNotNone(answer, "the host died")
        self.assertFalse(answer.get("ok"))
        return answer["error"]

    def test_seed_example_runs_unmodified(self):
        # The seed's example plugin, with its download stood in for by a
        # helper that writes a file.
        self.write("plugins/sales_lake.py", '''\
            # my_project/plugins/sales_lake.py
            from pathlib import Path
            from ducksite.config import ProjectConfig
            from ducksite.virtual_parquet import VirtualParquetFile, VirtualParquetManifest


            def fetch_sales_month(parquet_path):
                Path(parquet_path).write_bytes(b"PAR1 stand-in PAR1")


            def build_manifest(cfg: ProjectConfig) -> VirtualParquetManifest:
                scratch = Path(cfg.root) / "tmp_sales"
                scratch.mkdir(exist_ok=True)
                parquet_path = scratch / "sales-2024-01.parquet"
                fetch_sales_month(parquet_path)  # plugin-specific download or conversion
                return VirtualParquetManifest(
                    files=[VirtualParquetFile(
                        http_path="data/sales/sales-2024-01.parquet",
                        physical_path=str(parquet_path),
                        row_filter="sale_date between '2024-01-01' and '2024-01-31'",
                    )],
                    template_name="sales_[region]",
                    row_filter_template="region = ?",
                )
            ''')
        host = self.start()
        m = self.ok(host.run("plugins/sales_lake.py:build_manifest", "sales"))
        parquet = self.root / "tmp_sales" / "sales-2024-01.parquet"
        self.assertTrue(parquet.is_file())
        self.assertEqual(m["files"], [{
            "http_path": "data/sales/sales-2024-01.parquet",
            "physical_path": str(parquet),
            "row_filter": "sale_date between '2024-01-01' and '2024-01-31'",
        }])
        self.assertEqual(m["template_name"], "sales_[region]")
        self.assertEqual(m["row_filter_template"], "region = ?")

    def test_filter_expr_passed_only_when_accepted(self):
        self.write("p.py", '''\
            from ducksite.virtual_parquet import VirtualParquetFile as F, VirtualParquetManifest as M

            def with_filter(cfg, filter_expr):
                return M([F(repr(filter_expr), "x")])

            def cfg_only(cfg):
                return M([F(type(cfg).__name__, "x")])

            def keyword_only(cfg, *, filter_expr=None):
                return M([F("kw:" + repr(filter_expr), "x")])

            def other_name(cfg, filter=None):
                return M([F("other:" + repr(filter), "x")])
            ''')
        host = self.start()
        expr = "(amount > 0) AND (day >= DATE '2024-01-01')"
        m = self.ok(host.run("p.py:with_filter", filter_expr=expr))
        self.assertEqual(m["files"][0]["http_path"], repr(expr))
        m = self.ok(host.run("p.py:with_filter", filter_expr=None))
        self.assertEqual(m["files"][0]["http_path"], "None")
        m = self.ok(host.run("p.py:cfg_only", filter_expr=expr))
        self.assertEqual(m["files"][0]["http_path"], "ProjectConfig")
        m = self.ok(host.run("p.py:keyword_only", filter_expr=expr))
        self.assertEqual(m["files"][0]["http_path"], "kw:" + repr(expr))
        m = self.ok(host.run("p.py:other_name", filter_expr=expr))
        self.assertEqual(m["files"][0]["http_path"], "other:None")

    def test_config_seen_by_plugin(self):
        self.write("p.py", '''\
            import json
            from pathlib import Path
            from ducksite.virtual_parquet import VirtualParquetFile as F, VirtualParquetManifest as M

            def build_manifest(cfg):
                seen = {"root_type": type(cfg.root).__name__, "root": str(cfg.root),
                        "names": [fs.name for fs in cfg.file_sources],
                        "glob": cfg.file_source("orders").upstream_glob,
                        "site_root": str(cfg.site_root)}
                return M([F("a.parquet", "x")], template_name=json.dumps(seen))
            ''')
        host = self.start()
        sources = [source_doc("orders", upstream_glob="lake/*.parquet"),
                   source_doc("s", plugin="p.py")]
        m = self.ok(host.run("p.py", sources=sources))
        seen = json.loads(m["template_name"])
        self.assertIn(seen["root_type"], ("PosixPath", "WindowsPath", "Path"))
        self.assertEqual(seen["root"], str(self.root))
        self.assertEqual(seen["names"], ["orders", "s"])
        self.assertEqual(seen["glob"], "lake/*.parquet")
        self.assertEqual(seen["site_root"], str(self.root / "static"))

    def test_sibling_imports_and_sys_path_restored(self):
        self.write("plugins/a/helpers.py", "X = 'a'\n")
        self.write("plugins/b/helpers.py", "X = 'b'\n")
        plugin = '''\
            import os, sys
            from helpers import X
            from ducksite.virtual_parquet import VirtualParquetFile as F, VirtualParquetManifest as M

            HERE = os.path.dirname(os.path.abspath(__file__))
            FIRST = sys.path[0] == HERE

            def build_manifest(cfg):
                return M([F(f"{X}-{FIRST}", "x")])
            '''
        self.write("plugins/a/p.py", plugin)
        self.write("plugins/b/p.py", plugin)
        self.write("check.py", '''\
            import os, sys
            from ducksite.virtual_parquet import VirtualParquetFile as F, VirtualParquetManifest as M
            # A folder named plugins (not Ducksite's own folder, whose path
            # may hold the word too).
            def plugin_dirs():
                return [p for p in sys.path if os.sep + "plugins" + os.sep in p + os.sep]
            AT_IMPORT = plugin_dirs()

            def build_manifest(cfg):
                now = plugin_dirs()
                return M([F(repr((AT_IMPORT, now)), "x")])
            ''')
        host = self.start()
        before = self.ok(host.run("check.py"))["files"][0]["http_path"]
        self.assertEqual(before, repr(([], [])))
        self.assertEqual(self.ok(host.run("plugins/a/p.py"))["files"][0]["http_path"], "a-True")
        self.assertEqual(self.ok(host.run("plugins/b/p.py"))["files"][0]["http_path"], "b-True")
        after = self.ok(host.run("check.py"))["files"][0]["http_path"]
        self.assertEqual(after, repr(([], [])), "a plugin directory stayed on sys.path")

    def test_sibling_import_inside_the_callable(self):
        # A lazy `from helpers import X` in build_manifest works like one at
        # the top of the file.
        self.write("plugins/helpers.py", "X = 'lazy'\n")
        self.write("plugins/p.py", '''\
            from ducksite.virtual_parquet import VirtualParquetFile as F, VirtualParquetManifest as M

            def build_manifest(cfg):
                from helpers import X
                return M([F(X, "x")])
            ''')
        host = self.start()
        self.assertEqual(self.ok(host.run("plugins/p.py"))["files"][0]["http_path"], "lazy")

    def test_plugin_outside_the_project(self):
        outside = self.tmp / "shared" / "plugins"
        self.write("helpers.py", "PREFIX = 'outside'\n", base=outside)
        path = self.write("lake.py", '''\
            from helpers import PREFIX
            from ducksite.virtual_parquet import VirtualParquetFile as F, VirtualParquetManifest as M

            def build(cfg):
                return M([F(PREFIX + ".parquet", "x")])
            ''', base=outside)
        host = self.start()
        m = self.ok(host.run(f"{path}:build"))
        self.assertEqual(m["files"][0]["http_path"], "outside.parquet")

    def test_module_plugin_from_project_root(self):
        self.write("mypkg/__init__.py", "")
        self.write("mypkg/sales.py", '''\
            import os, sys
            from ducksite.virtual_parquet import VirtualParquetFile as F, VirtualParquetManifest as M
            ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
            FIRST = os.path.realpath(sys.path[0]) == os.path.realpath(ROOT)

            def custom(cfg):
                return M([F(f"first={FIRST}", "x")])
            ''')
        host = self.start()
        m = self.ok(host.run("mypkg.sales:custom"))
        self.assertEqual(m["files"][0]["http_path"], "first=True")
        # The root is not left on sys.path for the next plugin.
        self.write("check.py", '''\
            import os, sys
            from ducksite.virtual_parquet import VirtualParquetFile as F, VirtualParquetManifest as M
            ROOT = os.path.realpath(os.path.dirname(os.path.abspath(__file__)))

            def build_manifest(cfg):
                left = [p for p in sys.path if p and os.path.realpath(p) == ROOT]
                return M([F(str(len(left)), "x")])
            ''')
        self.write("sub/check.py", (self.root / "check.py").read_text().replace(
            "os.path.dirname(os.path.abspath(__file__))",
            "os.path.dirname(os.path.dirname(os.path.abspath(__file__)))"))
        m = self.ok(host.run("sub/check.py"))
        self.assertEqual(m["files"][0]["http_path"], "0")

    def test_errors(self):
        self.write("p.py", '''\
            NOT_CALLABLE = 42

            def returns_dict(cfg):
                return {"files": []}

            def raises(cfg):
                raise ValueError("the warehouse is closed")

            def build_manifest(cfg):
                raise RuntimeError("should not be called")
            ''')
        host = self.start()
        missing = self.error(host.run("nope/missing.py"))
        self.assertIn("plugin file not found", missing)
        self.assertIn(str(self.root / "nope" / "missing.py"), missing)
        self.assertIn("virtual parquet plugin target 'x' not found in",
                      self.error(host.run("p.py:x")))
        e = self.error(host.run("p.py:NOT_CALLABLE"))
        self.assertIn("not callable", e)
        self.assertIn("int", e)
        e = self.error(host.run("p.py:returns_dict"))
        self.assertIn("VirtualParquetManifest", e)
        self.assertIn("dict", e)
        e = self.error(host.run("p.py:raises"))
        self.assertIn("Traceback", e)
        self.assertIn("ValueError: the warehouse is closed", e)
        e = self.error(host.run("no_such_module_for_ducksite_tests"))
        self.assertIn("No module named 'no_such_module_for_ducksite_tests'", e)
        # The host is still usable after errors.
        self.write("good.py", '''\
            from ducksite.virtual_parquet import VirtualParquetFile as F, VirtualParquetManifest as M

            def build_manifest(cfg):
                return M([F("fine.parquet", "x")])
            ''')
        self.assertEqual(self.ok(host.run("good.py"))["files"][0]["http_path"], "fine.parquet")

    def test_manifest_values(self):
        # Path objects are accepted as paths; tabs, newlines and backslashes
        # in values survive the trip.
        self.write("p.py", '''\
            from pathlib import Path
            from ducksite.virtual_parquet import VirtualParquetFile as F, VirtualParquetManifest as M

            def build_manifest(cfg):
                return M([F("a.parquet", Path("/lake/a.parquet"), "x > 1"),
                          F("b\\\\c\\td.parquet", "lake/b.parquet", "s = 'a\\nb'")],
                         template_name="t_[x]")
            ''')
        host = self.start()
        m = self.ok(host.run("p.py"))
        self.assertEqual(m["files"], [
            {"http_path": "a.parquet", "physical_path": "/lake/a.parquet", "row_filter": "x > 1"},
            {"http_path": "b\\c\td.parquet", "physical_path": "lake/b.parquet",
             "row_filter": "s = 'a\nb'"},
        ])
        self.assertEqual(m["template_name"], "t_[x]")
        self.assertIsNone(m["row_filter_template"])

    def test_manifest_type_errors(self):
        self.write("p.py", '''\
            from ducksite.virtual_parquet import VirtualParquetFile as F, VirtualParquetManifest as M

            def tuples(cfg):
                return M([("a", "b")])

            def number(cfg):
                return M([F("a", 3)])

            def template_list(cfg):
                return M([], template_name=["x"])
            ''')
        host = self.start()
        e = self.error(host.run("p.py:tuples"))
        self.assertRegex(e, r"files\[0\].*VirtualParquetFile.*tuple")
        e = self.error(host.run("p.py:number"))
        self.assertRegex(e, r"files\[0\]\.physical_path.*int")
        e = self.error(host.run("p.py:template_list"))
        self.assertRegex(e, r"template_name.*list")

    def test_prints_do_not_corrupt_answers(self):
        self.write("noisy.py", '''\
            import subprocess, sys
            from ducksite.virtual_parquet import VirtualParquetFile as F, VirtualParquetManifest as M
            print("import-time print")

            def build_manifest(cfg):
                print("call-time print")
                sys.stdout.write('{"ok": false, "error": "fake"}\\n')
                subprocess.run(["/bin/sh", "-c", "echo from-subprocess"])
                return M([F("quiet.parquet", "x")])
            ''')
        host = self.start()
        self.assertEqual(self.ok(host.run("noisy.py"))["files"][0]["http_path"], "quiet.parquet")
        err = host.close()
        self.host = None
        for text in ("import-time print", "call-time print", "from-subprocess"):
            self.assertIn(text, err)

    def test_process_exit_ends_the_host(self):
        self.write("quit.py", '''\
            import os

            def build_manifest(cfg):
                os._exit(7)
            ''')
        host = self.start()
        self.assertIsNone(host.run("quit.py"))
        host.close()
        self.assertEqual(host.proc.returncode, 7)
        self.host = None


if __name__ == "__main__":
    unittest.main()
