#!/bin/bash
# build-offline.sh [--force] [--debootstrap] [--keep-tar PATH]
#
# Builds the mailgrade reference mail server image with no container registry:
# Debian bookworm minbase + postfix + dovecot-pop3d from a Debian mirror
# (mmdebstrap, or debootstrap), the same rootfs/ and setup-image.sh the
# Dockerfile uses, then "docker import". Run as root on a Debian-like machine.
#
#   --force        rebuild even though the image already exists
#   --debootstrap  use debootstrap instead of mmdebstrap (slower, ~2x)
#   --keep-tar P   also keep the root filesystem tarball at P
#   MIRROR=...     Debian mirror (default http://deb.debian.org/debian)
#
# The image tag is in ci/mailserver/image-tag (the Rust code reads the same file).
set -euo pipefail
here=$(dirname "$(readlink -f "$0")")
image=$(tr -d '[:space:]' < "$here/image-tag")
mirror=${MIRROR:-http://deb.debian.org/debian}
suite=bookworm
packages=postfix,dovecot-pop3d
force=0
tool=mmdebstrap
keep_tar=
mode=build
root_dir=
while [ $# -gt 0 ]; do
  case $1 in
    --force) force=1 ;;
    --debootstrap) tool=debootstrap ;;
    --keep-tar) keep_tar=${2:?--keep-tar needs a path}; shift ;;
    --finish-root) mode=finish-root; root_dir=${2:?}; shift ;;  # internal: mmdebstrap hook
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "build-offline.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
say() { echo "[build-offline $(date +%T)] $*"; }
die() { echo "build-offline.sh: $*" >&2; exit 1; }

# Overlay rootfs/ onto the new root (owned by root, existing directories left
# as they are), then run setup-image.sh inside it. $1 is the root directory.
finish_root() {
  tar -C "$here/rootfs" --owner=0 --group=0 --numeric-owner -cf - . \
    | tar -C "$1" --no-overwrite-dir -xf -
  install -m 0755 "$here/setup-image.sh" "$1/usr/local/sbin/setup-image.sh"
  chroot "$1" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin /usr/local/sbin/setup-image.sh
  rm -f "$1/usr/local/sbin/setup-image.sh"
}

if [ "$mode" = finish-root ]; then finish_root "$root_dir"; exit 0; fi

[ "$(id -u)" = 0 ] || die "must run as root (debootstrap/mmdebstrap and chroot need it)"
command -v docker >/dev/null || die "the docker CLI is not installed"
docker info >/dev/null 2>&1 || die "the Docker engine does not answer (is dockerd running? try: docker info)"

# The recipe's fingerprint goes into a label, so a stale image can be spotted.
recipe=$(cd "$here" && find rootfs setup-image.sh build-offline.sh image-tag -type f -print0 \
  | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)
if docker image inspect "$image" >/dev/null 2>&1 && [ "$force" = 0 ]; then
  built_from=$(docker image inspect -f '{{ index .Config.Labels "mailgrade.recipe" }}' "$image" 2>/dev/null || true)
  say "$image already exists; skipping the build (--force rebuilds)"
  [ "$built_from" = "$recipe" ] \
    || say "note: it was built from another recipe ($built_from, now $recipe); consider --force"
  exit 0
fi

# Tools: install what is missing from the distribution's own repository.
need_pkgs=()
if [ "$tool" = mmdebstrap ] && ! command -v mmdebstrap >/dev/null; then need_pkgs+=(mmdebstrap); fi
if [ "$tool" = debootstrap ] && ! command -v debootstrap >/dev/null; then need_pkgs+=(debootstrap); fi
if [ ${#need_pkgs[@]} -gt 0 ]; then
  command -v apt-get >/dev/null || die "${need_pkgs[*]} missing and no apt-get to install it"
  say "installing ${need_pkgs[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get -qq update
  DEBIAN_FRONTEND=noninteractive apt-get -qq -y install "${need_pkgs[@]}" >/dev/null
fi

export DEBIAN_FRONTEND=noninteractive LC_ALL=C
work=$(mktemp -d "${TMPDIR:-/var/tmp}/mailgrade-mailserver.XXXXXX")
cleanup() { rm -rf "$work"; }
trap cleanup EXIT
tarball=$work/rootfs.tar
started=$(date +%s)

case $tool in
  mmdebstrap)
    say "mmdebstrap $suite minbase + $packages from $mirror"
    hooks=()
    # Without this hook apt satisfies usr-is-merged with usrmerge and full perl.
    [ -d /usr/share/mmdebstrap/hooks/merged-usr ] \
      && hooks+=(--hook-dir=/usr/share/mmdebstrap/hooks/merged-usr)
    mmdebstrap --quiet --mode=root --variant=minbase --include="$packages" "${hooks[@]}" \
      --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
      --dpkgopt='path-exclude=/usr/share/info/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
      --dpkgopt='path-include=/usr/share/doc/*/copyright' \
      --customize-hook="\"$here/build-offline.sh\" --finish-root \"\$1\"" \
      "$suite" "$tarball" "$mirror"
    ;;
  debootstrap)
    root=$work/root
    say "debootstrap $suite minbase + $packages from $mirror"
    debootstrap --variant=minbase --include="$packages" "$suite" "$root" "$mirror" \
      > "$work/debootstrap.log" 2>&1 || { tail -n 30 "$work/debootstrap.log" >&2; die "debootstrap failed"; }
    say "configuring"
    finish_root "$root"
    # Docker supplies /dev, /proc, /sys itself.
    tar --numeric-owner -C "$root" --exclude='./dev/*' --exclude='./proc/*' \
      --exclude='./sys/*' --exclude='./tmp/*' -cf "$tarball" .
    ;;
esac
say "root filesystem: $(( $(stat -c %s "$tarball") / 1048576 )) MiB tar after $(( $(date +%s) - started )) s"

say "docker import -> $image"
docker import \
  -c 'CMD ["/usr/local/bin/mailserver-start"]' \
  -c 'EXPOSE 25 110' \
  -c 'ENV MAIL_LISTEN=0.0.0.0 SMTP_PORT=25 POP3_PORT=110 MAIL_ACCOUNTS=student@lab.test:secret' \
  -c "LABEL org.opencontainers.image.title=\"mailgrade reference mail server\" mailgrade.recipe=$recipe" \
  "$tarball" "$image" >/dev/null
[ -z "$keep_tar" ] || cp "$tarball" "$keep_tar"
say "built $image in $(( $(date +%s) - started )) s"
