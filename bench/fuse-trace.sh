# Counts the FUSE requests each fsbench phase sends to one mount, whatever the
# transport (/dev/fuse or io_uring): the kernel's fuse_request_send tracepoint
# (Linux 6.15+) in a tracefs instance of its own, filtered to the mount's
# connection, with fsbench --marker writing the phase boundaries into it.
# Sourced by bench/mount.sh and bench/fuse-ops.sh:
#
#     trace_start MOUNTPOINT && fsbench ... --marker "$trace_marker"; trace_report FILES
#
# Sets trace_marker ("" when tracing is unavailable; trace_report then says so).

trace_start() {
    trace_marker=""
    trace_dir=""
    local tr=/sys/kernel/tracing
    if [ ! -d "$tr/instances" ]; then
        tr="${work:-/tmp}/tracefs"
        mkdir -p "$tr"
        mountpoint -q "$tr" || mount -t tracefs nodev "$tr" 2>/dev/null || return 1
        trace_mounted=$tr
    fi
    [ -d "$tr/instances" ] && [ -d "$tr/events/fuse/fuse_request_send" ] || return 1
    # The connection is the mount's device number, in the kernel's encoding.
    local dev major minor
    dev=$(mountpoint -d "$1") || return 1
    major=${dev%%:*}
    minor=${dev##*:}
    trace_dir="$tr/instances/ntlinkfs-bench-$$"
    mkdir "$trace_dir" || return 1
    echo 32768 > "$trace_dir/buffer_size_kb"
    echo "connection == $(((major << 20) | minor))" > "$trace_dir/events/fuse/fuse_request_send/filter"
    echo 1 > "$trace_dir/events/fuse/fuse_request_send/enable"
    trace_marker="$trace_dir/trace_marker"
}

# Prints, per phase, the requests by opcode and per file ($1 files per phase).
trace_report() {
    if [ -z "$trace_dir" ]; then
        echo "(no FUSE request counts: needs tracefs with the fuse events, Linux 6.15+)"
        return
    fi
    echo 0 > "$trace_dir/events/fuse/fuse_request_send/enable"
    python3 - "$1" "$trace_dir/trace" <<'PY'
import collections, re, sys
files = int(sys.argv[1])
phase, order, counts = None, [], {}
for line in open(sys.argv[2], errors="replace"):
    m = re.search(r"fsbench (start|end) (\S+)", line)
    if m:
        phase = m.group(2) if m.group(1) == "start" else None
        if phase and phase not in counts:
            order.append(phase)
            counts[phase] = collections.Counter()
        continue
    m = re.search(r"opcode \d+ \(FUSE_(\w+)\)", line)
    if m and phase:
        counts[phase][m.group(1)] += 1
for p in order:
    c = counts[p]
    total = sum(c.values())
    per = f"{total / files:.2f}/file" if p in ("create", "link", "stat", "stat-missing", "rename-half", "unlink") else ""
    ops = " ".join(f"{op}={n}" for op, n in c.most_common())
    print(f"{p:<12} {total:>8} {per:>11}  {ops}")
PY
    rmdir "$trace_dir"
    trace_dir=""
    if [ -n "${trace_mounted:-}" ]; then
        umount "$trace_mounted" 2>/dev/null
        trace_mounted=""
    fi
}
