#!/bin/sh
echo "hello from berth"
