"""readers/credentials"""
