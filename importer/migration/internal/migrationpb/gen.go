// Package migrationpb is the code protoc-gen-go generates for
// migration.proto, the Payload of Google Authenticator's transfer QR codes.
// Only the tests of package migration import it: they hold the hand-written
// codec there to proto.Marshal and proto.Unmarshal, and the wardkey binary
// does not link google.golang.org/protobuf.
//
// Regenerate with protoc 3.21.12 (Debian's protobuf-compiler) and
// protoc-gen-go v1.36.12, the version go.mod requires:
//
//	GOBIN=/tmp/bin go install google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.12
//	PATH=/tmp/bin:$PATH go generate ./importer/migration/internal/migrationpb
package migrationpb

//go:generate protoc --go_out=. --go_opt=paths=source_relative migration.proto
