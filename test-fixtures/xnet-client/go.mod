module httpwatcher.test/xnetclient

go 1.15

require golang.org/x/net v0.0.0
