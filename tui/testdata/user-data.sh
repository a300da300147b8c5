#!/bin/sh
# deckhand test fixture: user data for the create layout golden
dnf install -y nginx
systemctl enable --now nginx
echo ok > /usr/share/nginx/html/health
logger "user data done"
