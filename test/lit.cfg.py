# -*- Python -*-
# lit configuration of the tg regression tests.

import os

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "TG"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.tg_obj_root, "test")
config.excludes = ["CMakeLists.txt", "README.md", "lit.cfg.py", "lit.site.cfg.py", "Inputs", "npycheck.py"]

config.substitutions.append(("%PATH%", config.environment["PATH"]))
llvm_config.with_system_environment(["HOME", "INCLUDE", "LIB", "TMP", "TEMP"])
llvm_config.use_default_substitutions()

llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
tool_dirs = [config.tg_tools_dir, config.llvm_tools_dir]
tools = ["tg-opt", "tg-run"]
llvm_config.add_tool_substitutions(tools, tool_dirs)

config.substitutions.append(("%python", config.python_executable))
config.substitutions.append(
    ("%npycheck", config.python_executable + " " +
     os.path.join(config.test_source_root, "Integration", "npycheck.py")))

import shutil
if shutil.which("valgrind"):
    config.available_features.add("valgrind")
