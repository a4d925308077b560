module httpwatcher.test/tracedclient

go 1.15
