#!/usr/bin/env python3
"""Turns the code pages an idle agent touched into a symbol ordering file for lld.

    order.py WARRANT PAGES... > agent-idle.order

WARRANT is the executable that was profiled, each PAGES file the output of pageprof.c (file
offsets of touched code pages, one hexadecimal number per line; several runs are merged). Prints
every function that lies on a touched page, in the order of their addresses in WARRANT, one
symbol name per line: the form lld's --symbol-ordering-file reads. A page holds a few dozen
functions and only some of them ran, so the list is a little wider than the code that ran, never
narrower. Symbol names do not depend on where the linker put the functions, so the list serves any
build of the same source, whichever linker made the profiled executable.
"""
import bisect
import subprocess
import sys

PAGE = 4096


def code_segments(binary):
    """(file offset, virtual address, size) of each loadable segment with execute permission."""
    segments = []
    headers = subprocess.run(["readelf", "-lW", binary], capture_output=True, text=True, check=True).stdout
    for line in headers.splitlines():
        fields = line.split()
        if fields and fields[0] == "LOAD" and "E" in "".join(fields[6:-1]):
            segments.append((int(fields[1], 16), int(fields[2], 16), int(fields[4], 16)))
    return segments


def functions(binary):
    """(address, size, name) of every defined code symbol with a size, by address."""
    table = subprocess.run(["nm", "-S", "--defined-only", binary], capture_output=True, text=True, check=True).stdout
    found = []
    for line in table.splitlines():
        fields = line.split(maxsplit=3)
        if len(fields) == 4 and fields[2] in "tTwW" and int(fields[1], 16) > 0:
            found.append((int(fields[0], 16), int(fields[1], 16), fields[3]))
    found.sort()
    return found


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: order.py WARRANT PAGES... > agent-idle.order")
    binary = sys.argv[1]
    segments = code_segments(binary)
    pages = set()
    for path in sys.argv[2:]:
        with open(path) as lines:
            for line in lines:
                if not line.strip():
                    continue
                offset = int(line, 16)
                for segment_offset, address, size in segments:
                    if segment_offset <= offset < segment_offset + size:
                        pages.add(offset - segment_offset + address)
    symbols = functions(binary)
    starts = [address for address, _, _ in symbols]
    chosen = {}
    for page in sorted(pages):
        index = max(bisect.bisect_right(starts, page) - 1, 0)
        while index < len(symbols) and symbols[index][0] < page + PAGE:
            address, size, name = symbols[index]
            if address + size > page:
                chosen.setdefault(name, (address, size))
            index += 1
    ordered = sorted(chosen.items(), key=lambda item: item[1][0])
    sys.stdout.write("".join(name + "\n" for name, _ in ordered))
    total = sum(size for _, (_, size) in ordered)
    print(f"order.py: {len(pages)} touched pages ({len(pages) * PAGE / 1e6:.2f} MB), "
          f"{len(ordered)} functions ({total / 1e6:.2f} MB)", file=sys.stderr)


if __name__ == "__main__":
    main()
