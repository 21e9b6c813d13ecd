#!/bin/sh
# The app image's command: the banner and the greeting that the build baked in.
cat /usr/share/hello/banner.txt
echo "$(cat /usr/share/hello/greeting.txt), world!"
