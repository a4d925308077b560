module httpwatcher.offsets/probe

go 1.15
