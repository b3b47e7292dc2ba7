#!/bin/sh
sleep 1000 &
wait
