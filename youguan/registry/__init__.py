"""The register of enterprises, licences, outlets and facilities, and vehicles."""
