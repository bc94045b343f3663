package migration

//go:generate protoc --go_out=. --go_opt=paths=source_relative migration.proto
