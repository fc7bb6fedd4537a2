#!/bin/bash
# setup-image.sh: finish the image filesystem, run INSIDE it as root
# (a Dockerfile RUN step, or chroot from build-offline.sh). Expects postfix and
# dovecot-pop3d installed and rootfs/ already copied over /. Idempotent.
set -euo pipefail
export PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C

# Debian runs Postfix services chrooted in /var/spool/postfix, which would need
# copies of /etc files there; a throwaway test container gains nothing from it.
postconf -F '*/*/chroot = n'
# No port-25 listener from the package; mailserver-start writes the real one.
postconf -M# smtp/inet 2>/dev/null || true
postconf -M '25/inet=25 inet n - n - - smtpd'

# Owner of all mailboxes (virtual_uid_maps / Dovecot's userdb).
getent group vmail >/dev/null || groupadd -g 5000 vmail
getent passwd vmail >/dev/null || useradd -u 5000 -g 5000 -d /var/mail/vhosts -M -s /usr/sbin/nologin vmail
install -d -o 5000 -g 5000 -m 0770 /var/mail/vhosts

# Default tables (the start script rewrites them from MAIL_ACCOUNTS), so that
# the configuration checks below see a complete setup.
printf 'lab.test OK\n' > /etc/postfix/vdomains
printf 'student@lab.test lab.test/student/Maildir/\n@lab.test lab.test/student/Maildir/\n' > /etc/postfix/vmailbox
printf 'student@lab.test:{PLAIN}secret\n' > /etc/dovecot/users
chown root:root /etc/postfix/main.cf /etc/postfix/vdomains /etc/postfix/vmailbox /etc/dovecot/dovecot.conf
chmod 0644 /etc/postfix/main.cf /etc/postfix/vdomains /etc/postfix/vmailbox /etc/dovecot/dovecot.conf
chown root:dovecot /etc/dovecot/users
chmod 0640 /etc/dovecot/users
chown root:root /usr/local/bin/mailserver-start
chmod 0755 /usr/local/bin/mailserver-start

# Build-time sanity checks; no daemon is started.
postfix check
doveconf -n >/dev/null

# Nothing a test container reads: package caches and lists, manuals, locales,
# documentation except the copyright files, logs.
rm -rf /var/cache/apt/archives/*.deb /var/cache/apt/*.bin /var/lib/apt/lists/* \
       /var/cache/debconf/*-old /usr/share/man/* /usr/share/info/* /usr/share/lintian \
       /usr/share/locale/* /var/log/*.log /var/log/apt/* /var/cache/ldconfig/aux-cache
find /usr/share/doc -mindepth 1 ! -type d ! -name copyright -delete
find /usr/share/doc -mindepth 1 -type d -empty -delete
mkdir -p /var/lib/apt/lists/partial
