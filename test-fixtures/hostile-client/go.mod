module httpwatcher.test/hostile-client

go 1.15
