module httpwatcher.test/responseclient

go 1.15
