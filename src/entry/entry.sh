# sidekick's entry script (see entry-script.ts). Runs under the toolkit's sh as: sh -c 'eval "$SIDEKICK_ENTRY"' sidekick [COMMAND...]
# @STAGE_TWO@ is replaced by the command that runs inside the target's root.
set -u
# containerd: the output goes to FIFOs that sidekick reads itself (src/runtimes/containerd/output-fifos.ts),
# opened read-write: that never waits for a reader, so a debugger whose CLI was killed still runs and ends
if [ -n "${SIDEKICK_OUTPUT-}" ]; then
  exec 1<>"$SIDEKICK_OUTPUT/stdout" 2<>"$SIDEKICK_OUTPUT/stderr" || exit 125
  unset SIDEKICK_OUTPUT
fi
fail() { echo "sidekick: $*" >&2; exit 125; }
# A toolkit program's path in SIDEKICK_TOOL (not a builtin's name, as `command -v` may answer); no
# command substitution, which would fork.
# Where the toolkit is, when it is not the debugger's root (a Docker or Podman copy: SIDEKICK_TOOLKIT).
tkdir=${SIDEKICK_TOOLKIT-}
tool() { for d in /bin /usr/bin /sbin /usr/sbin /usr/local/bin; do [ -x "$tkdir$d/$1" ] && { SIDEKICK_TOOL=$tkdir$d/$1; return 0; }; done; return 1; }
# An engine that cannot set the debugger's user (ctr) asks for it here, before anything else; the
# switch to a non-root uid clears every capability.
if [ -n "${SIDEKICK_RUN_AS-}" ]; then
  run_as=$SIDEKICK_RUN_AS
  unset SIDEKICK_RUN_AS
  tool nsenter || fail "the toolkit image has no nsenter, which this profile needs here"
  exec nsenter -S "${run_as%%:*}" -G "${run_as#*:}" -- sh -c 'eval "$SIDEKICK_ENTRY"' sidekick "$@"
fi
tpid=${SIDEKICK_TARGET_PID:-1}
# After the target's environment is applied (last), only SIDEKICK_ names are the script's own: a
# target's variable may have any other name (user, root, keep...).
SIDEKICK_KEEP=" ${SIDEKICK_KEEP_ENV-} "
workdir=${SIDEKICK_TARGET_WORKDIR-}
user=${SIDEKICK_USER-}
# Kubernetes starts an ephemeral container before anyone can attach: wait for sidekick's go-ahead line.
if [ -n "${SIDEKICK_HANDSHAKE-}" ]; then
  if [ -t 0 ]; then stty -echo 2>/dev/null; IFS= read -r _ || exit 125; stty echo 2>/dev/null; else IFS= read -r _ || exit 125; fi
fi
# The user asked for no stdin (Kubernetes keeps it open for the handshake).
[ -n "${SIDEKICK_NO_STDIN-}" ] && exec </dev/null
# With a shared process namespace, the target is not PID 1: find it by its container ID.
if [ -n "${SIDEKICK_TARGET_CGROUP-}" ]; then
  tpid=$(grep -l -- "$SIDEKICK_TARGET_CGROUP" /proc/[0-9]*/cgroup 2>/dev/null | head -1 | cut -d/ -f3)
  [ -n "$tpid" ] || fail "cannot find the target's processes"
fi
# Where the exit code is slow to learn (Kubernetes), the last bytes of output carry it: \036sidekick-exit N\036.
SIDEKICK_MARK=${SIDEKICK_EXIT_MARK-}
SIDEKICK_KEEPER=
on_exit() {
  SIDEKICK_STATUS=$?
  [ -n "$SIDEKICK_KEEPER" ] && kill "$SIDEKICK_KEEPER" 2>/dev/null
  [ -n "$SIDEKICK_MARK" ] && printf '\036sidekick-exit %d\036' "$SIDEKICK_STATUS" >&2
  exit "$SIDEKICK_STATUS"
}
trap on_exit EXIT
# Why this debugger has less than the full view (its profile), said with what that costs.
why=${SIDEKICK_WHY:+"${SIDEKICK_WHY}: "}
full=${SIDEKICK_WHY:+"; --profile general gives the full view"}
retry="try --privileged or another profile"
[ -n "${SIDEKICK_WHY-}" ] && retry="try --profile general"
unset SIDEKICK_TOOLKIT SIDEKICK_ENTRY SIDEKICK_TARGET_PID SIDEKICK_KEEP_ENV SIDEKICK_USER SIDEKICK_HANDSHAKE SIDEKICK_NO_STDIN SIDEKICK_TARGET_CGROUP SIDEKICK_EXIT_MARK SIDEKICK_WHY SIDEKICK_TARGET_WORKDIR
# A copy of a stopped target mounted in the debugger (containerd) has no process: its root is given,
# and its environment is only the configured one.
root=${SIDEKICK_TARGET_ROOT:-/proc/$tpid/root}
environ=/proc/$tpid/environ
[ -n "${SIDEKICK_TARGET_ROOT-}" ] && environ=/dev/null
unset SIDEKICK_TARGET_ROOT
unreachable=
if ! cd "$root/" 2>/dev/null; then
  [ "$(id -u)" = 0 ] && fail "${why}cannot enter the target's filesystem ($root): permission denied; $retry"
  # a non-root debugger (--profile restricted) of another user than the target's
  unreachable="uid $(id -u) may not enter the target's filesystem (it runs as another user)"
fi
cd /
tool sh || fail "the toolkit image has no sh; pick one with a shell, e.g. --image busybox:musl"
sh_path=$SIDEKICK_TOOL

# The configured working directory, else where the target's process is.
SIDEKICK_CWD=${workdir:-$(readlink "/proc/$tpid/cwd" 2>/dev/null || echo /)}
export SIDEKICK_CWD

set_env() { # NAME VALUE, unless -e set it or it is set already; PATH is kept for later
  case "$SIDEKICK_KEEP$SIDEKICK_SEEN" in *" $1 "*) return ;; esac
  SIDEKICK_SEEN="$SIDEKICK_SEEN$1 "
  if [ "$1" = PATH ]; then SIDEKICK_TPATH=$2; return; fi
  # `command`: a name the shell will not take (bash's readonly UID) must not end the script
  command export "$1=$2" 2>/dev/null || :
}

# The `entrypoint` helper (entrypoint.sh, run by the sh at $1) and the target's command line, one
# file per argument so no value is ever parsed, in the debugger's own temporary directory: nothing
# goes into the target. Without a writable one (a non-root debugger, a toolkit with no /tmp and no
# mkdir) there is no helper.
helpers() {
  SIDEKICK_HELP=${TMPDIR:-/tmp}/.sidekick
  case "${SIDEKICK_TARGET_ARGC-}" in '' | *[!0-9]*) SIDEKICK_ARGC= ;; *) SIDEKICK_ARGC=$SIDEKICK_TARGET_ARGC ;; esac
  # left by an earlier session of a kept debugger (a fresh container has none: no rm to run)
  [ -e "$SIDEKICK_HELP" ] && rm -rf "$SIDEKICK_HELP" 2>/dev/null
  SIDEKICK_WRITE=
  mkdir -p "$SIDEKICK_HELP/bin" "$SIDEKICK_HELP/args" 2>/dev/null && SIDEKICK_WRITE=1
  if [ -n "$SIDEKICK_WRITE" ]; then
    { printf '#!%s\n' "$1"; printf '%s\n' "${SIDEKICK_ENTRYPOINT-}"; } >"$SIDEKICK_HELP/bin/entrypoint" && chmod 755 "$SIDEKICK_HELP/bin/entrypoint"
    [ -n "$SIDEKICK_ARGC" ] || printf '' >"$SIDEKICK_HELP/unknown"
  fi
  SIDEKICK_N=0
  while [ "$SIDEKICK_N" -lt "${SIDEKICK_ARGC:-0}" ]; do
    eval "SIDEKICK_V=\${SIDEKICK_TARGET_ARG_$SIDEKICK_N-}"
    [ -n "$SIDEKICK_WRITE" ] && printf '%s' "$SIDEKICK_V" >"$SIDEKICK_HELP/args/$SIDEKICK_N"
    unset "SIDEKICK_TARGET_ARG_$SIDEKICK_N"
    SIDEKICK_N=$((SIDEKICK_N + 1))
  done
  unset SIDEKICK_ENTRYPOINT SIDEKICK_TARGET_ARGC SIDEKICK_ARGC SIDEKICK_WRITE SIDEKICK_N SIDEKICK_V
}

# Calls $1 for each entry of the target's /proc/PID/environ (in SIDEKICK_KV, a newline in it kept)
# while it returns 0: with `read -d ''` where the toolkit's shell has it (ash, bash), no process
# started; else (dash) the file once through `tr`, a newline inside a value carried as \001 and given
# back. The braces catch the shell's own error when a non-root debugger may not read the file.
if { IFS= read -r -d '' SIDEKICK_KV </dev/null; [ $? -eq 1 ]; } 2>/dev/null; then
  each_environ_entry() {
    { while IFS= read -r -d '' SIDEKICK_KV || [ -n "$SIDEKICK_KV" ]; do "$1" || break; done <"$environ"; } 2>/dev/null
  }
else
  each_environ_entry() {
    [ -n "${SIDEKICK_ENVIRON+set}" ] || SIDEKICK_ENVIRON=$({ tr '\n\0' '\001\n' <"$environ"; } 2>/dev/null)
    while IFS= read -r SIDEKICK_KV; do
      case "$SIDEKICK_KV" in *[[:cntrl:]]*) SIDEKICK_KV=$(printf '%sx' "$SIDEKICK_KV" | tr '\001' '\n'); SIDEKICK_KV=${SIDEKICK_KV%x} ;; esac
      "$1" || break
    done <<EOT
$SIDEKICK_ENVIRON
EOT
  }
fi

# The target's environment, applied just before the command runs: first what the engine configured
# (each value in its own variable, SIDEKICK_TARGET_ENV_<NAME>, so newlines, quotes and $ arrive as
# they are), then what /proc/PID/environ adds (Kubernetes' image ENV, service variables), only while
# it still holds NAME=VALUE pairs: a process title (nginx, postgres, setproctitle) writes over it.
is_pair() { # 1 (stop) at the first entry that is not NAME=VALUE; empty ones are passed over
  [ -n "$SIDEKICK_KV" ] || return 0
  case "$SIDEKICK_KV" in *=*) ;; *) SIDEKICK_PAIRS=no; return 1 ;; esac
  case "${SIDEKICK_KV%%=*}" in ''|*[[:space:][:cntrl:]]*) SIDEKICK_PAIRS=no; return 1 ;; esac
  SIDEKICK_PAIRS=${SIDEKICK_PAIRS:-yes}
}
apply_pair() {
  case "${SIDEKICK_KV%%=*}" in ''|[0-9]*|*[!A-Za-z0-9_]*|SIDEKICK_*) return 0 ;; esac
  set_env "${SIDEKICK_KV%%=*}" "${SIDEKICK_KV#*=}"
}
load_env() {
  SIDEKICK_SEEN=" "
  SIDEKICK_TPATH=
  SIDEKICK_PAIRS=
  each_environ_entry is_pair
  set -f
  for SIDEKICK_N in ${SIDEKICK_TARGET_ENV-}; do
    case "$SIDEKICK_N" in [0-9]*|*[!A-Za-z0-9_]*|SIDEKICK_*) continue ;; esac
    # a checked name selects the variable; its value is copied, never parsed
    eval "SIDEKICK_V=\${SIDEKICK_TARGET_ENV_$SIDEKICK_N-}"
    unset "SIDEKICK_TARGET_ENV_$SIDEKICK_N"
    set_env "$SIDEKICK_N" "$SIDEKICK_V"
  done
  set +f
  [ "$SIDEKICK_PAIRS" = yes ] && each_environ_entry apply_pair
  unset SIDEKICK_TARGET_ENV SIDEKICK_SEEN SIDEKICK_ENVIRON SIDEKICK_PAIRS SIDEKICK_KV SIDEKICK_N SIDEKICK_V SIDEKICK_KEEP
}

user_ids() { # uid:gid of $user, by name from the target's /etc/passwd or as given
  case "$user" in
    *[!0-9:]*) ids=$(awk -F: -v u="${user%%:*}" '$1 == u { print $3 ":" $4; exit }' "$root/etc/passwd" 2>/dev/null)
               [ -n "$ids" ] || fail "user ${user%%:*} is not in the target's /etc/passwd; give a numeric uid[:gid]" ;;
    *) ids=$user ;;
  esac
  uid=${ids%%:*}; gid=${ids#*:}; [ "$gid" = "$ids" ] && gid=$uid
  case "$uid:$gid" in *[!0-9:]*|:*|*:) fail "bad user $user; give a numeric uid[:gid] or a user name" ;; esac
}

# The command runs inside the target's root unless it cannot: without CAP_SYS_CHROOT (a restricted
# profile, a non-root debugger), or with a toolkit whose programs need its own loader and libraries
# (dynamically linked: alpine, netshoot...), which are not in the target's root. Then the command
# runs in the toolkit's filesystem, starting where the kernel shows the target's.
# Whether the toolkit has a dynamic loader, so that its programs may need files the target's root
# lacks; without one every program of it is static (busybox:musl) and runs anywhere: no test run, a
# fork and two execs fewer in a cold container.
dynamic_toolkit() {
  for f in /lib/ld[-.]* /lib64/ld[-.]* /lib/*/ld[-.]* /usr/lib/ld[-.]* /usr/lib64/ld[-.]* /usr/lib/*/ld[-.]* /nix/store; do
    [ -e "$f" ] && return 0
  done
  return 1
}
tk=/proc/$$/root
outside=
# Where the command finds the toolkit's programs when it runs without a chroot.
base_path=$PATH
capeff=0
while read -r key value; do [ "$key" = CapEff: ] && { capeff=$value; break; }; done </proc/self/status
# A copy that is the debugger's own root (Docker, Podman: the toolkit mounted at SIDEKICK_TOOLKIT) is
# entered already: no chroot (nor its capability), nothing to say.
here=
if [ "$root" = / ] && [ -n "$tkdir" ]; then
  here=1
  base_path="$tkdir/bin:$tkdir/usr/bin:$tkdir/sbin:$tkdir/usr/sbin"
elif [ -n "$unreachable" ]; then
  outside=$unreachable
elif [ $(( 0x$capeff >> 18 & 1 )) -eq 0 ]; then
  outside="this debugger may not chroot (no CAP_SYS_CHROOT)"
elif dynamic_toolkit && ! chroot "$root" "$tk$sh_path" -c : </dev/null >/dev/null 2>&1; then
  outside="the toolkit's programs cannot run inside the target's root (dynamically linked?)"
  why= full=   # no profile would change that
fi
if [ -n "$outside$here" ]; then
  [ -n "$outside" ] && echo "sidekick: $why$outside: you are in the toolkit's filesystem, the target's is at $root$full" >&2
  cd "${root%/}$SIDEKICK_CWD" 2>/dev/null || cd "$root/" 2>/dev/null || cd /
  unset SIDEKICK_CWD
  [ "$#" -gt 0 ] || set -- sh
  if [ -n "$user" ]; then
    user_ids
    # a debugger that already runs as that user (Kubernetes' restricted profile) has nothing to drop
    if [ "$(id -u)" != "$uid" ] || [ "$(id -g)" != "$gid" ]; then
      tool nsenter || fail "the toolkit image has no nsenter, which --user needs"
      set -- "$SIDEKICK_TOOL" -S "$uid" -G "$gid" -- "$@"
    fi
  fi
  helpers "$sh_path"
  load_env
  export PATH="$base_path:$SIDEKICK_HELP/bin${SIDEKICK_TPATH:+:$SIDEKICK_TPATH}"
  unset SIDEKICK_TPATH SIDEKICK_HELP base_path
  "$@"
  exit
fi

drop=
if [ -n "$user" ]; then
  user_ids
  tool nsenter || fail "the toolkit image has no nsenter, which --user needs"
  drop=$tk$SIDEKICK_TOOL
  # A process of that user outside the target's root keeps the toolkit reachable after privileges drop.
  nsenter -S "$uid" -G "$gid" sleep 2147483647 </dev/null >/dev/null 2>&1 &
  SIDEKICK_KEEPER=$!
  n=0; until [ "$(stat -c %u "/proc/$SIDEKICK_KEEPER" 2>/dev/null)" = "$uid" ] || [ "$n" -ge 3000 ]; do usleep 1000; n=$((n + 1)); done
  tk=/proc/$SIDEKICK_KEEPER/root
fi

# The whole command line is set before the target's environment is applied.
set -- "$tk$sh_path" -c '@STAGE_TWO@' sidekick "$@"
[ -n "$drop" ] && set -- "$drop" -S "$uid" -G "$gid" -- "$@"
set -- chroot "$root" "$@"
helpers "$tk$sh_path"
SIDEKICK_PATH="$tk/bin:$tk/usr/bin:$tk/sbin:$tk/usr/sbin:$tk$SIDEKICK_HELP/bin"
load_env
export PATH="$SIDEKICK_PATH${SIDEKICK_TPATH:+:$SIDEKICK_TPATH}"
unset SIDEKICK_PATH SIDEKICK_TPATH SIDEKICK_HELP
"$@"
exit
