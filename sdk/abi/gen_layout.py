#!/usr/bin/env python3
"""Prints the body of sdk/abi/sdk_1_0_layout.c for the headers in an include
dir: one _Static_assert per field offset and struct size of every SDK struct
(and every slot of walor_host_api), plus the value of every numeric #define,
measured by compiling a small C program on this machine (x86_64 LP64).

Only needed when a new SDK minor is frozen at a release:
    sdk/abi/gen_layout.py sdk/include > /tmp/layout.inc
and paste the new struct members / slots into a new sdk_1_<minor>_layout.c;
never edit the asserts of a released minor."""
import os
import re
import subprocess
import sys
import tempfile

inc = sys.argv[1] if len(sys.argv) > 1 else "sdk/include"
hdrs = ["version.h", "types.h", "api.h", "plugin.h"]
text = {h: open(os.path.join(inc, "walor", h), encoding="utf-8").read() for h in hdrs}


def strip_comments(s):
    s = re.sub(r"/\*.*?\*/", " ", s, flags=re.S)
    return re.sub(r"//[^\n]*", " ", s)


structs = []   # (name, [members]) in header order
for h in hdrs:
    src = strip_comments(text[h])
    for m in re.finditer(r"(?:typedef\s+)?struct\s+(walor_\w+)\s*\{(.*?)\}\s*\w*\s*;", src, re.S):
        name, body = m.group(1), m.group(2)
        members = []
        for decl in body.split(";"):
            decl = " ".join(decl.split())
            if not decl:
                continue
            fp = re.search(r"\(\s*\*\s*(\w+)\s*\)", decl)
            if fp:
                mem = fp.group(1)
                typ = decl[:fp.start()] + "(*)" + decl[fp.end():]
            else:
                mem = re.findall(r"\w+", decl)[-1]
                typ = re.sub(r"\b%s\s*$" % mem, "", decl).strip()
            members.append((mem, typ.replace("( *)", "(*)")))
        structs.append((name, members))

# Structs that may never grow: those that travel in arrays (walor_val binds,
# walor_conv_state steps, walor_form_line results: the array stride is part
# of the ABI) and walor_handle, the prefix of every handle. The others begin
# with struct_size (or are the API table) and may grow at the end: their 1.0
# size is only a minimum.
FIXED_SIZE = {"walor_val", "walor_handle", "walor_conv_state", "walor_form_line"}

defines = []
for h in hdrs:
    for m in re.finditer(r"^#define\s+(WALOR_\w+)\s+(\(?-?(?:0x[0-9A-Fa-f]+|\d+)u?\)?)",
                         text[h], re.M):
        defines.append(m.group(1))

prog = ['#include <stdio.h>', '#include <stddef.h>', '#include <walor/plugin.h>', 'int main(void) {']
for name, members in structs:
    prog.append(f'printf("\\n/* {name} */\\n");')
    for mem, typ in members:
        prog.append(f'printf("WALOR_ABI_FIELD({name}, {mem}, %zu, {typ});\\n", offsetof(struct {name}, {mem}));')
    kind = "EXACT" if name in FIXED_SIZE else "MIN"
    prog.append(f'printf("WALOR_ABI_SIZE_{kind}({name}, %zu);\\n", sizeof(struct {name}));')
prog.append('printf("\\n/* constants */\\n");')
for d in defines:
    if d == "WALOR_SDK_MINOR":    # goes up with every minor; asserted as >= 0 by the template
        continue
    fmt = "0x%llXu" if d == "WALOR_PLUGIN_MAGIC" else "%lld"
    prog.append(f'printf("WALOR_ABI_CONST({d}, {fmt});\\n", (long long)({d}));')
prog.append("return 0; }")

with tempfile.TemporaryDirectory() as tmp:
    c = os.path.join(tmp, "gen.c")
    exe = os.path.join(tmp, "gen")
    with open(c, "w") as f:
        f.write("\n".join(prog) + "\n")
    cflags = subprocess.run(["pkg-config", "--cflags", "jansson"], capture_output=True, text=True).stdout.split()
    subprocess.run(["cc", "-std=c11", "-I", inc, *cflags, c, "-o", exe], check=True)
    sys.stdout.write(subprocess.run([exe], capture_output=True, text=True, check=True).stdout)
