module httpwatcher.test/noclient

go 1.15
