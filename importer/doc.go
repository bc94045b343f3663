// Package importer turns bytes (QR images, otpauth URIs, other
// authenticators' exports) into accounts for the vault.
package importer
