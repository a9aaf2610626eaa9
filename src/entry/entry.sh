# sidekick's entry script (see entry-script.ts). Runs under the toolkit's sh as: sh -c 'eval "$SIDEKICK_ENTRY"' sidekick [COMMAND...]
# @STAGE_TWO@ is replaced by the command that runs inside the target's root.
set -u
fail() { echo "sidekick: $*" >&2; exit 125; }
# A toolkit program's path (not a builtin's name, as `command -v` may answer).
tool() { for d in /bin /usr/bin /sbin /usr/sbin /usr/local/bin; do [ -x "$d/$1" ] && { echo "$d/$1"; return 0; }; done; return 1; }
# An engine that cannot set the debugger's user (ctr) asks for it here, before anything else; the
# switch to a non-root uid clears every capability.
if [ -n "${SIDEKICK_RUN_AS-}" ]; then
  run_as=$SIDEKICK_RUN_AS
  unset SIDEKICK_RUN_AS
  tool nsenter >/dev/null || fail "the toolkit image has no nsenter, which this profile needs here"
  exec nsenter -S "${run_as%%:*}" -G "${run_as#*:}" -- sh -c 'eval "$SIDEKICK_ENTRY"' sidekick "$@"
fi
tpid=${SIDEKICK_TARGET_PID:-1}
keep=" ${SIDEKICK_KEEP_ENV-} "
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
mark=${SIDEKICK_EXIT_MARK-}
keeper=
on_exit() {
  status=$?
  [ -n "$keeper" ] && kill "$keeper" 2>/dev/null
  [ -n "$mark" ] && printf '\036sidekick-exit %d\036' "$status" >&2
  exit "$status"
}
trap on_exit EXIT
# Why this debugger has less than the full view (its profile), said with what that costs.
why=${SIDEKICK_WHY:+"${SIDEKICK_WHY}: "}
full=${SIDEKICK_WHY:+"; --profile general gives the full view"}
retry="try --privileged or another profile"
[ -n "${SIDEKICK_WHY-}" ] && retry="try --profile general"
unset SIDEKICK_ENTRY SIDEKICK_TARGET_PID SIDEKICK_KEEP_ENV SIDEKICK_USER SIDEKICK_HANDSHAKE SIDEKICK_NO_STDIN SIDEKICK_TARGET_CGROUP SIDEKICK_EXIT_MARK SIDEKICK_WHY
root=/proc/$tpid/root
unreachable=
if ! cd "$root/" 2>/dev/null; then
  [ "$(id -u)" = 0 ] && fail "${why}cannot enter the target's filesystem ($root): permission denied; $retry"
  # a non-root debugger (--profile restricted) of another user than the target's
  unreachable="uid $(id -u) may not enter the target's filesystem (it runs as another user)"
fi
cd /
sh_path=$(tool sh) || fail "the toolkit image has no sh; pick one with a shell, e.g. --image busybox:musl"

# The target's environment, except what the user set with -e; PATH is merged below.
tpath=
while IFS= read -r kv; do
  name=${kv%%=*}
  case "$name" in ''|*[!A-Za-z0-9_]*) continue ;; esac
  case "$keep" in *" $name "*) continue ;; esac
  if [ "$name" = PATH ]; then tpath=${kv#PATH=}; continue; fi
  export "$kv"
done <<EOT
$(tr '\0' '\n' 2>/dev/null </proc/$tpid/environ)
EOT
SIDEKICK_CWD=$(readlink "/proc/$tpid/cwd" 2>/dev/null || echo /)
export SIDEKICK_CWD

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
tk=/proc/$$/root
outside=
capeff=0
while read -r key value; do [ "$key" = CapEff: ] && capeff=$value; done </proc/self/status
if [ -n "$unreachable" ]; then
  outside=$unreachable
elif [ $(( 0x$capeff >> 18 & 1 )) -eq 0 ]; then
  outside="this debugger may not chroot (no CAP_SYS_CHROOT)"
elif ! chroot "$root" "$tk$sh_path" -c : </dev/null >/dev/null 2>&1; then
  outside="the toolkit's programs cannot run inside the target's root (dynamically linked?)"
  why= full=   # no profile would change that
fi
if [ -n "$outside" ]; then
  echo "sidekick: $why$outside: you are in the toolkit's filesystem, the target's is at $root$full" >&2
  [ -n "$tpath" ] && export PATH="$PATH:$tpath"
  cd "$root$SIDEKICK_CWD" 2>/dev/null || cd "$root/" 2>/dev/null || cd /
  unset SIDEKICK_CWD
  [ "$#" -gt 0 ] || set -- sh
  if [ -n "$user" ]; then
    user_ids
    # a debugger that already runs as that user (Kubernetes' restricted profile) has nothing to drop
    if [ "$(id -u)" != "$uid" ] || [ "$(id -g)" != "$gid" ]; then
      tool nsenter >/dev/null || fail "the toolkit image has no nsenter, which --user needs"
      set -- nsenter -S "$uid" -G "$gid" -- "$@"
    fi
  fi
  "$@"
  status=$?
  exit $status
fi

drop=
if [ -n "$user" ]; then
  user_ids
  drop=$(tool nsenter) || fail "the toolkit image has no nsenter, which --user needs"
  drop=$tk$drop
  # A process of that user outside the target's root keeps the toolkit reachable after privileges drop.
  nsenter -S "$uid" -G "$gid" sleep 2147483647 </dev/null >/dev/null 2>&1 &
  keeper=$!
  n=0; until [ "$(stat -c %u "/proc/$keeper" 2>/dev/null)" = "$uid" ] || [ "$n" -ge 3000 ]; do usleep 1000; n=$((n + 1)); done
  tk=/proc/$keeper/root
fi
export PATH="$tk/bin:$tk/usr/bin:$tk/sbin:$tk/usr/sbin${tpath:+:$tpath}"

if [ -n "$drop" ]; then
  chroot "$root" "$drop" -S "$uid" -G "$gid" -- "$tk$sh_path" -c '@STAGE_TWO@' sidekick "$@"
else
  chroot "$root" "$tk$sh_path" -c '@STAGE_TWO@' sidekick "$@"
fi
status=$?
exit $status
